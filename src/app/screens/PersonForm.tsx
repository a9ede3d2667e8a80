// Create or edit a person of a household. Birth year only (never a full date of
// birth), no ID numbers, no passwords: the schema has no field for them.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SaveBar } from '../components/SaveBar';
import { useSave } from '../hooks/useSave';
import { useHousehold, usePerson } from '../db/hooks';
import { createPerson, updatePerson, type PersonInput } from '../db/repo';
import { useStore } from '../db/StoreContext';
import { navigate, paths } from '../router';
import { SEXES, type Person } from '../../shared/schemas';
import { CheckboxField, CodeOptions, SelectField, TextField } from '../components/Field';
import { Loaded } from '../components/Loading';
import { flash } from '../components/Flash';
import { formatAddress } from '../components/address';

interface Values {
  fullName: string;
  birthYear: string;
  sex: string;
  phone: string;
  hasSmartphone: '' | 'yes' | 'no';
  disability: boolean;
  livesAlone: boolean;
}

function valuesOf(p: Person | undefined): Values {
  return {
    fullName: p?.fullName ?? '',
    birthYear: p?.birthYear !== undefined ? String(p.birthYear) : '',
    sex: p?.sex ?? '',
    phone: p?.phone ?? '',
    hasSmartphone: p?.hasSmartphone === undefined ? '' : p.hasSmartphone ? 'yes' : 'no',
    disability: p?.flags.disability ?? false,
    livesAlone: p?.flags.livesAlone ?? false,
  };
}

function toInput(v: Values): PersonInput {
  const year = v.birthYear.trim();
  return {
    fullName: v.fullName,
    // A non-number stays NaN so the schema reports it as an invalid birth year.
    birthYear: year === '' ? undefined : /^\d+$/.test(year) ? Number(year) : Number.NaN,
    sex: v.sex === '' ? undefined : (v.sex as Person['sex']),
    phone: v.phone,
    hasSmartphone: v.hasSmartphone === '' ? undefined : v.hasSmartphone === 'yes',
    flags: { disability: v.disability, livesAlone: v.livesAlone },
  };
}

export function PersonForm({ id, householdId }: { id?: string | undefined; householdId?: string | undefined }) {
  const person = usePerson(id);
  const household = useHousehold(householdId);
  if (id) return <Loaded record={person}>{(p) => <Form existing={p.person} />}</Loaded>;
  return <Loaded record={household}>{(h) => <Form householdId={h.household.id} householdLabel={h.household.address} />}</Loaded>;
}

function Form({
  existing,
  householdId,
  householdLabel,
}: {
  existing?: Person;
  householdId?: string;
  householdLabel?: Parameters<typeof formatAddress>[1];
}) {
  const { t } = useTranslation(['screens', 'common']);
  const { db, actor } = useStore();
  const [values, setValues] = useState<Values>(() => valuesOf(existing));
  const { failure, errors, saving, save } = useSave();
  const set = <K extends keyof Values>(key: K) => (v: Values[K]) => setValues((prev) => ({ ...prev, [key]: v }));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const input = toInput(values);
    const person = await save(() => (existing ? updatePerson(db, actor, existing.id, input) : createPerson(db, actor, householdId!, input)));
    if (!person) return;
    flash(t(existing ? 'personForm.updated' : 'personForm.created', { name: person.fullName }));
    navigate(existing ? paths.person(person.id) : paths.household(person.householdId), { replace: true });
  }

  return (
    <section className="screen">
      <h1>{t(existing ? 'personForm.editTitle' : 'personForm.newTitle')}</h1>
      {householdLabel && <p className="muted">{formatAddress(t, householdLabel)}</p>}
      <form noValidate onSubmit={onSubmit}>
        <TextField label={t('common:fields.fullName')} value={values.fullName} onChange={set('fullName')} error={errors.fullName} required />
        <TextField
          label={t('common:fields.birthYear')}
          type="text"
          inputMode="numeric"
          value={values.birthYear}
          onChange={set('birthYear')}
          error={errors.birthYear}
          hint={t('common:fields.birthYearHint')}
        />
        <SelectField label={t('common:fields.sex')} value={values.sex} onChange={set('sex')} error={errors.sex}>
          <option value="">{t('common:notSaid')}</option>
          <CodeOptions codes={SEXES} label={(s) => t(`common:sex.${s}`)} />
        </SelectField>
        <TextField label={t('common:fields.phone')} type="tel" inputMode="tel" value={values.phone} onChange={set('phone')} error={errors.phone} hint={t('common:fields.phoneHint')} />
        <SelectField
          label={t('common:fields.hasSmartphone')}
          value={values.hasSmartphone}
          onChange={(v) => set('hasSmartphone')(v as Values['hasSmartphone'])}
          error={errors.hasSmartphone}
        >
          <option value="">{t('common:notSaid')}</option>
          <option value="yes">{t('common:yes')}</option>
          <option value="no">{t('common:no')}</option>
        </SelectField>
        <CheckboxField label={t('common:fields.disability')} checked={values.disability} onChange={set('disability')} hint={t('common:fields.disabilityHint')} />
        <CheckboxField label={t('common:fields.livesAlone')} checked={values.livesAlone} onChange={set('livesAlone')} />

        <SaveBar label={t('personForm.save')} failure={failure} disabled={saving} />
      </form>
    </section>
  );
}
