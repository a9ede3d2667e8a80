// Literacy-point mode ("Bình dân học vụ số" lưu động): the point is chosen once
// and remembered on the device; then each walk-in takes a few taps and the form
// resets for the next person in the queue. No household is needed.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SaveBar } from '../components/SaveBar';
import { useSave } from '../hooks/useSave';
import { Choice } from '../components/Choice';
import { useMeta, useTodayVisits } from '../db/hooks';
import { META_KEYS, setMeta } from '../db/meta';
import { recordVisit } from '../db/repo';
import { useStore } from '../db/StoreContext';
import { PLATFORMS } from '../../shared/platforms';
import { walkInPriority } from '../../shared/priority';
import { formatNumber } from '../i18n';
import { nextStatus, PlatformChecklist } from '../components/PlatformChecklist';
import { PriorityBadges } from '../components/PriorityBadges';
import { CheckboxField, TextField } from '../components/Field';
import { ServicesInput } from '../components/ServicesInput';
import { Loading } from '../components/Loading';
import { flash } from '../components/Flash';
import { useDraft } from '../hooks/useDraft';
import { emptyWalkIn, servicesInputProps, stepErrors, stepsFor, walkInBirthYear, walkInFromDraft, type WalkInDraft } from './visitDraft';

export function LiteracyPoint() {
  const { t } = useTranslation(['screens', 'common']);
  const point = useMeta<string>(META_KEYS.literacyPoint);
  const [changing, setChanging] = useState(false);
  if (point === undefined) return <Loading />;
  const current = point.value;
  return (
    <section className="screen">
      <h1>{t('point.title')}</h1>
      {!current || changing ? (
        <PointChooser current={current} onDone={() => setChanging(false)} />
      ) : (
        <>
          <p className="point-name">
            {t('point.at', { point: current })}{' '}
            <button type="button" className="link-button" onClick={() => setChanging(true)}>
              {t('point.change')}
            </button>
          </p>
          <TodayCount point={current} />
          <WalkInForm point={current} />
        </>
      )}
    </section>
  );
}

function TodayCount({ point }: { point: string }) {
  const { t, i18n } = useTranslation(['screens', 'common']);
  const visits = useTodayVisits();
  if (!visits) return null;
  const n = visits.filter((v) => v.channel === 'literacy_point' && v.literacyPointId === point).length;
  return <p className="muted">{t('point.todayCount', { count: n, n: formatNumber(n, i18n.language) })}</p>;
}

function PointChooser({ current, onDone }: { current: string | undefined; onDone: () => void }) {
  const { t } = useTranslation(['screens', 'common']);
  const { db } = useStore();
  const [name, setName] = useState(current ?? '');
  const [error, setError] = useState<string | undefined>();
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const value = name.trim();
        if (!value) return setError('validation.required');
        if (value.length > 80) return setError('validation.tooLong');
        void setMeta(db, META_KEYS.literacyPoint, value).then(onDone);
      }}
    >
      <p className="hint">{t('point.chooseExplain')}</p>
      <TextField label={t('point.name')} value={name} onChange={setName} error={error} required />
      <div className="bottom-actions sticky">
        <button type="submit" className="button primary big">
          {t('point.choose')}
        </button>
      </div>
    </form>
  );
}

function WalkInForm({ point }: { point: string }) {
  const { t } = useTranslation(['screens', 'common']);
  const { db, actor } = useStore();
  const draft = useDraft<WalkInDraft>('walkin', emptyWalkIn);
  const { failure, errors, saving, save: saveWith } = useSave();
  if (!draft.value) return <Loading />;
  const d = draft.value;
  const { input, origins } = walkInFromDraft(point, d);
  const birthYear = walkInBirthYear(d);

  async function save() {
    if (!(await saveWith(() => recordVisit(db, actor, input)))) return;
    await draft.reset();
    flash(t('point.saved'));
  }

  return (
    <form
      noValidate
      className="walk-in"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>{t('point.walkIn')}</h2>
      <Choice pressed={d.anonymous} onPress={() => draft.update((p) => ({ ...p, anonymous: !p.anonymous }))}>
        {t('common:anonymous')}
      </Choice>
      {!d.anonymous && (
        <TextField label={t('common:fields.fullName')} value={d.name} onChange={(name) => draft.update((p) => ({ ...p, name }))} error={errors['people.0.walkInName']} />
      )}
      <TextField
        label={t('common:fields.birthYear')}
        inputMode="numeric"
        value={d.birthYear}
        onChange={(v) => draft.update((p) => ({ ...p, birthYear: v }))}
        error={errors['people.0.walkInBirthYear']}
      />
      <CheckboxField label={t('common:fields.disability')} checked={d.disability} onChange={(disability) => draft.update((p) => ({ ...p, disability }))} />
      <CheckboxField label={t('point.poorHousehold')} checked={d.poorHousehold} onChange={(poorHousehold) => draft.update((p) => ({ ...p, poorHousehold }))} />
      <PriorityBadges
        reasons={walkInPriority({
          walkInBirthYear: Number.isFinite(birthYear) ? birthYear : undefined,
          walkInFlags: { disability: d.disability, poorHousehold: d.poorHousehold },
        })}
      />

      {PLATFORMS.map((platform) => {
        const current = stepsFor(d.steps, platform);
        return (
          <PlatformChecklist
            key={platform}
            platform={platform}
            steps={current}
            independent={d.independent.includes(platform)}
            errors={stepErrors(errors, origins, platform)}
            onCycle={(step) =>
              draft.update((p) => ({
                ...p,
                steps: { ...p.steps, [`${platform}.${step}`]: { status: nextStatus(current[step]?.status ?? 'not_started') } },
              }))
            }
            onBlocker={(step, blocker, blockerText) =>
              draft.update((p) => ({ ...p, steps: { ...p.steps, [`${platform}.${step}`]: { status: 'blocked', blocker, blockerText } } }))
            }
            onIndependent={(on) =>
              draft.update((p) => ({
                ...p,
                independent: on ? [...new Set([...p.independent, platform])] : p.independent.filter((x) => x !== platform),
              }))
            }
          />
        );
      })}

      <ServicesInput {...servicesInputProps(d, draft.update, errors)} />

      <SaveBar label={t('point.save')} failure={failure} disabled={saving} />
    </form>
  );
}
