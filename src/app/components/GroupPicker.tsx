// Residential-group picker shared by the household list and coverage. The last
// group chosen is remembered on the device (meta lastGroup), since a volunteer
// works the same group for days.
import { useTranslation } from 'react-i18next';
import { useGroups, useMeta } from '../db/hooks';
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
  const options = group && !groups.includes(group) ? [group, ...groups] : groups;
  return (
    <SelectField
      label={t('group')}
      value={group ?? ''}
      onChange={(g) => {
        void setMeta(db, META_KEYS.lastGroup, g);
        onChange(g);
      }}
    >
      {options.map((g) => (
        <option key={g} value={g}>
          {g}
        </option>
      ))}
    </SelectField>
  );
}
