// Residential-group picker shared by the household list, coverage and the
// household form. Groups come from the ward's list (db/queries.ts
// groupChoices), never free text; each option shows the code and the ward's
// name for it. The last group chosen is remembered on the device (meta
// lastGroup), since a volunteer works the same group for days.
import { useTranslation } from 'react-i18next';
import { useGroupChoices, useGroups, useMeta } from '../db/hooks';
import { META_KEYS, setMeta } from '../db/meta';
import { useStore } from '../db/StoreContext';
import { SelectField } from './Field';

/** The group to show: the one in the route, else the remembered one, else the first known. */
export function useCurrentGroup(routeGroup: string | undefined): { group: string | undefined; groups: string[] | undefined } {
  const groups = useGroups();
  const last = useMeta<string>(META_KEYS.lastGroup);
  if (routeGroup) return { group: routeGroup, groups };
  if (!groups || !last) return { group: undefined, groups };
  return { group: last.value && groups.includes(last.value) ? last.value : groups[0], groups };
}

export function GroupPicker({
  group,
  groups,
  onChange,
}: {
  group: string | undefined;
  groups: string[];
  onChange: (group: string) => void;
}) {
  const { t } = useTranslation('common');
  const { db } = useStore();
  return (
    <SelectField
      label={t('group')}
      value={group ?? ''}
      onChange={(g) => {
        void setMeta(db, META_KEYS.lastGroup, g);
        onChange(g);
      }}
    >
      <GroupOptions group={group} groups={groups} />
    </SelectField>
  );
}

/** "TDP 1 · Tổ dân phố số 1", or the code alone when the ward gives no other name. */
export function groupLabel(code: string, name: string | undefined): string {
  return name && name !== code ? `${code} · ${name}` : code;
}

/**
 * One <option> per group code, labelled with the ward's name for it. A
 * current value the list lacks (a record in a group no longer assigned)
 * stays selectable, so opening it never silently changes its group.
 */
export function GroupOptions({ group, groups, placeholder }: { group: string | undefined; groups: readonly string[]; placeholder?: string }) {
  const choices = useGroupChoices();
  const names = new Map(choices?.map((c) => [c.code, c.name]));
  const options = group && !groups.includes(group) ? [group, ...groups] : groups;
  return (
    <>
      {placeholder !== undefined && <option value="">{placeholder}</option>}
      {options.map((g) => (
        <option key={g} value={g}>
          {groupLabel(g, names.get(g))}
        </option>
      ))}
    </>
  );
}
