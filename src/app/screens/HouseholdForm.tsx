// Create or edit a household. CONSENT FIRST: the volunteer asks before any
// personal detail is typed. Without consent only the address is kept (an
// "address-only door", so coverage can still count it); the shared schema
// refuses a head's name, phone or notes on such a record.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SaveBar } from '../components/SaveBar';
import { useSave } from '../hooks/useSave';
import { Choice } from '../components/Choice';
import { useHousehold } from '../db/hooks';
import { createHousehold, updateHousehold, type HouseholdInput } from '../db/repo';
import { META_KEYS, setMeta } from '../db/meta';
import { useStore } from '../db/StoreContext';
import { navigate, paths } from '../router';
import { POVERTY_STATUSES, type Household, type PovertyStatus } from '../../shared/schemas';
import { CodeOptions, SelectField, TextAreaField, TextField } from '../components/Field';
import { GroupOptions, useCurrentGroup } from '../components/GroupPicker';
import { Loaded, Loading } from '../components/Loading';
import { flash } from '../components/Flash';

interface Values {
  group: string;
  houseNumber: string;
  lane: string;
  subLane: string;
  street: string;
  headName: string;
  phone: string;
  povertyStatus: PovertyStatus;
  notes: string;
}

function valuesOf(h: Household | undefined, group: string): Values {
  return {
    group: h?.group ?? group,
    houseNumber: h?.address.houseNumber ?? '',
    lane: h?.address.lane ?? '',
    subLane: h?.address.subLane ?? '',
    street: h?.address.street ?? '',
    headName: h?.headName ?? '',
    phone: h?.phone ?? '',
    povertyStatus: h?.povertyStatus ?? 'none',
    notes: h?.notes ?? '',
  };
}

export function HouseholdForm({ id, group }: { id?: string | undefined; group?: string | undefined }) {
  const detail = useHousehold(id);
  const current = useCurrentGroup(group);
  if (id) return <Loaded record={detail}>{(d) => <Form existing={d.household} groups={current.groups ?? []} />}</Loaded>;
  if (current.groups === undefined || (current.group === undefined && current.groups.length > 0)) return <Loading />;
  return <Form initialGroup={current.group ?? ''} groups={current.groups} />;
}

function Form({ existing, initialGroup = '', groups }: { existing?: Household; initialGroup?: string; groups: string[] }) {
  const { t } = useTranslation(['screens', 'common']);
  const { db, actor } = useStore();
  const [consent, setConsent] = useState<boolean | null>(existing ? existing.consent.given : null);
  const [values, setValues] = useState<Values>(() => valuesOf(existing, initialGroup));
  const { failure, errors, saving, save } = useSave();
  const set = <K extends keyof Values>(key: K) => (v: Values[K]) => setValues((prev) => ({ ...prev, [key]: v }));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (consent === null) return;
    const input: HouseholdInput = {
      group: values.group,
      address: { houseNumber: values.houseNumber, lane: values.lane, subLane: values.subLane, street: values.street },
      povertyStatus: consent ? values.povertyStatus : 'none',
      consentGiven: consent,
      // Without consent the personal fields are sent blank, which clears them.
      headName: consent ? values.headName : '',
      phone: consent ? values.phone : '',
      notes: consent ? values.notes : '',
    };
    const household = await save(() => (existing ? updateHousehold(db, actor, existing.id, input) : createHousehold(db, actor, input)));
    if (!household) return;
    void setMeta(db, META_KEYS.lastGroup, household.group);
    flash(t(existing ? 'householdForm.updated' : 'householdForm.created'));
    navigate(paths.household(household.id), { replace: true });
  }

  return (
    <section className="screen">
      <h1>{t(existing ? 'householdForm.editTitle' : 'householdForm.newTitle')}</h1>
      <form noValidate onSubmit={onSubmit}>
        <fieldset className="consent">
          <legend>{t('householdForm.consentQuestion')}</legend>
          <p className="hint">{t('householdForm.consentExplain')}</p>
          <div className="choice-row">
            <Choice pressed={consent === true} onPress={() => setConsent(true)}>
              {t('householdForm.consentYes')}
            </Choice>
            <Choice pressed={consent === false} onPress={() => setConsent(false)}>
              {t('householdForm.consentNo')}
            </Choice>
          </div>
          {consent === false && existing?.consent.given && <p className="warning">{t('householdForm.consentWithdrawn')}</p>}
        </fieldset>

        {consent !== null && (
          <>
            <fieldset>
              <legend>{t('householdForm.address')}</legend>
              {/* The ward's groups only, never free text: the server refuses any other (unknown_group). */}
              <SelectField label={t('common:fields.group')} value={values.group} onChange={set('group')} error={errors.group} required>
                <GroupOptions group={values.group || undefined} groups={groups} placeholder={t('householdForm.pickGroup')} />
              </SelectField>
              <TextField label={t('common:fields.houseNumber')} value={values.houseNumber} onChange={set('houseNumber')} error={errors['address.houseNumber']} required />
              <TextField label={t('common:fields.lane')} value={values.lane} onChange={set('lane')} error={errors['address.lane']} />
              <TextField label={t('common:fields.subLane')} value={values.subLane} onChange={set('subLane')} error={errors['address.subLane']} />
              <TextField label={t('common:fields.street')} value={values.street} onChange={set('street')} error={errors['address.street']} required />
            </fieldset>

            {consent ? (
              <fieldset>
                <legend>{t('householdForm.details')}</legend>
                <TextField label={t('common:fields.headName')} value={values.headName} onChange={set('headName')} error={errors.headName} autoComplete="off" required />
                <TextField label={t('common:fields.phone')} type="tel" inputMode="tel" value={values.phone} onChange={set('phone')} error={errors.phone} hint={t('common:fields.phoneHint')} />
                <SelectField label={t('common:fields.povertyStatus')} value={values.povertyStatus} onChange={(v) => set('povertyStatus')(v as PovertyStatus)} error={errors.povertyStatus}>
                  <CodeOptions codes={POVERTY_STATUSES} label={(s) => t(`common:poverty.${s}`)} />
                </SelectField>
                <TextAreaField label={t('common:fields.notes')} value={values.notes} onChange={set('notes')} error={errors.notes} hint={t('common:fields.notesHint')} />
              </fieldset>
            ) : (
              <p className="notice">{t('householdForm.addressOnlyNotice')}</p>
            )}
          </>
        )}

        <SaveBar label={t('householdForm.save')} failure={failure} disabled={consent === null || saving} />
      </form>
    </section>
  );
}
