// Record a visit at a household's door. Designed around the count of taps:
// the outcome defaults to "helped" and Save is sticky at the bottom, so after
// the checklist taps saving takes one tap (two if the outcome differs).
//
// Everything typed is a draft in IndexedDB (useDraft), restored on mount and
// cleared on save, so a reload, a crash or an update never loses a visit.
import { useTranslation } from 'react-i18next';
import { SaveBar } from '../components/SaveBar';
import { useSave } from '../hooks/useSave';
import { Choice } from '../components/Choice';
import { useHousehold } from '../db/hooks';
import { recordVisit } from '../db/repo';
import { useStore } from '../db/StoreContext';
import { navigate, paths } from '../router';
import { ESCALATION_REASONS, PLATFORMS, type EscalationReason, type Platform } from '../../shared/platforms';
import { OUTCOMES, type Person } from '../../shared/schemas';
import { personPriority } from '../../shared/priority';
import { nextStatus, PlatformChecklist, type StepState } from '../components/PlatformChecklist';
import { PriorityBadges } from '../components/PriorityBadges';
import { CodeOptions, SelectField, TextAreaField, TextField } from '../components/Field';
import { ServicesInput } from '../components/ServicesInput';
import { Loaded, Loading } from '../components/Loading';
import { flash } from '../components/Flash';
import { formatAddress } from '../components/address';
import { useDraft } from '../hooks/useDraft';
import { emptyVisitDraft, isContact, servicesInputProps, stepErrors, stepsFor, visitDraftKey, visitFromDraft, type VisitDraft } from './visitDraft';
import './VisitForm.css';

export function VisitForm({ householdId }: { householdId: string }) {
  const detail = useHousehold(householdId);
  return <Loaded record={detail?.household.deleted ? null : detail}>{(d) => <Form householdId={householdId} detail={d} />}</Loaded>;
}

type Detail = NonNullable<ReturnType<typeof useHousehold>>;

function Form({ householdId, detail }: { householdId: string; detail: Detail }) {
  const { t } = useTranslation(['screens', 'common']);
  const { db, actor } = useStore();
  const draft = useDraft<VisitDraft>(visitDraftKey(householdId), emptyVisitDraft);
  const { failure, errors, saving, save: saveWith } = useSave();
  const { household, people, reasons } = detail;

  if (!draft.value) return <Loading />;
  const d = draft.value;
  const contact = isContact(d.outcome);

  const stored = (p: Person, platform: Platform, step: string): StepState =>
    (p.platforms[platform].steps as Record<string, StepState>)[step] ?? { status: 'not_started' };
  const effective = (p: Person, platform: Platform): Record<string, StepState> => ({
    ...(p.platforms[platform].steps as Record<string, StepState>),
    ...stepsFor(d.steps[p.id] ?? {}, platform),
  });
  const setStep = (p: Person, platform: Platform, step: string, value: StepState | null) =>
    draft.update((prev) => {
      const mine = { ...(prev.steps[p.id] ?? {}) };
      const key = `${platform}.${step}`;
      if (value === null) delete mine[key];
      else mine[key] = value;
      return { ...prev, steps: { ...prev.steps, [p.id]: mine } };
    });

  const { input, origins } = visitFromDraft(householdId, d, people);

  async function save() {
    if (!(await saveWith(() => recordVisit(db, actor, input)))) return;
    await draft.reset();
    flash(t('visit.saved'));
    navigate(paths.household(householdId), { replace: true });
  }

  return (
    <section className="screen visit-form">
      <h1>{t('visit.title')}</h1>
      <p className="muted">
        {formatAddress(t, household.address)}
        {household.headName ? ` — ${household.headName}` : ''}
      </p>
      <PriorityBadges reasons={reasons} />
      {draft.restored && (
        <div className="notice" role="status">
          <p>{t('visit.draftRestored')}</p>
          <button type="button" className="button secondary" onClick={() => void draft.reset()}>
            {t('visit.discardDraft')}
          </button>
        </div>
      )}

      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <fieldset>
          <legend>{t('visit.outcome')}</legend>
          <div className="choice-row">
            {OUTCOMES.map((o) => (
              <Choice key={o} variant={`outcome-${o}`} pressed={d.outcome === o} onPress={() => draft.update((prev) => ({ ...prev, outcome: o }))}>
                {t(`common:outcomes.${o}`)}
              </Choice>
            ))}
          </div>
        </fieldset>

        {contact &&
          (people.length === 0 ? (
            <p className="notice">{t('visit.noPeople')}</p>
          ) : (
            people.map((p) => (
              <section key={p.id} className="visit-person" aria-label={p.fullName}>
                <h2>{p.fullName}</h2>
                <PriorityBadges reasons={personPriority(p, household)} />
                {PLATFORMS.map((platform) => {
                  const steps = effective(p, platform);
                  const already = p.platforms[platform].independent;
                  return (
                    <PlatformChecklist
                      key={platform}
                      platform={platform}
                      steps={steps}
                      independent={already || (d.independent[p.id] ?? []).includes(platform)}
                      errors={stepErrors(errors, origins, platform, p.id)}
                      onCycle={(step) => {
                        const next = nextStatus(steps[step]?.status ?? 'not_started');
                        const before = stored(p, platform, step);
                        // Tapping back to what is already stored is "no change", not a step to record.
                        setStep(p, platform, step, next === before.status && next !== 'blocked' ? null : { status: next });
                      }}
                      onBlocker={(step, blocker, text) => setStep(p, platform, step, { status: 'blocked', blocker, blockerText: text })}
                      onIndependent={(on) => {
                        if (already) return; // a visit can add the mark, never take it away
                        draft.update((prev) => {
                          const list = new Set(prev.independent[p.id] ?? []);
                          if (on) list.add(platform);
                          else list.delete(platform);
                          return { ...prev, independent: { ...prev.independent, [p.id]: [...list] } };
                        });
                      }}
                    />
                  );
                })}
              </section>
            ))
          ))}

        {contact && <ServicesInput {...servicesInputProps(d, draft.update, errors)} />}

        <TextField
          label={t('visit.followUpOn')}
          type="date"
          value={d.followUpOn}
          onChange={(followUpOn) => draft.update((prev) => ({ ...prev, followUpOn }))}
          error={errors.followUpOn}
        />

        <fieldset className="escalate">
          <legend>{t('visit.escalateTitle')}</legend>
          <Choice pressed={d.escalate} onPress={() => draft.update((prev) => ({ ...prev, escalate: !prev.escalate }))}>
            {t('common:escalateAction')}
          </Choice>
          {d.escalate && (
            <>
              <SelectField
                label={t('visit.escalateReason')}
                value={d.escalateReason}
                onChange={(v) => draft.update((prev) => ({ ...prev, escalateReason: v as EscalationReason | '' }))}
                error={errors['escalate.reason']}
                required
              >
                <option value="">{t('common:choose')}</option>
                <CodeOptions codes={ESCALATION_REASONS} label={(r) => t(`common:escalation.${r}`)} />
              </SelectField>
              <TextAreaField
                label={t('visit.escalateDetail')}
                value={d.escalateDetail}
                onChange={(escalateDetail) => draft.update((prev) => ({ ...prev, escalateDetail }))}
                error={errors['escalate.detail']}
              />
            </>
          )}
        </fieldset>

        <TextAreaField
          label={t('common:fields.notes')}
          value={d.notes}
          onChange={(notes) => draft.update((prev) => ({ ...prev, notes }))}
          error={errors.notes}
          hint={t('common:fields.notesHint')}
        />

        <SaveBar label={t('visit.save')} failure={failure} disabled={saving} />
      </form>
    </section>
  );
}
