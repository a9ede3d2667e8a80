// A person's four checklists. Every tap is saved at once (setPersonStep /
// setIndependent), except a step being marked blocked: it waits on screen until
// the volunteer picks why, because a blocked step without a blocker is invalid
// and the blocker is what supervisors count.
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePerson } from '../db/hooks';
import { setIndependent, setPersonStep, type WriteResult } from '../db/repo';
import { useStore } from '../db/StoreContext';
import { href, paths } from '../router';
import { PLATFORMS, type Blocker, type Platform } from '../../shared/platforms';
import type { Person, Step } from '../../shared/schemas';
import { nextStatus, PlatformChecklist, type StepState } from '../components/PlatformChecklist';
import { PriorityBadges } from '../components/PriorityBadges';
import { Loading, NotFound } from '../components/Loading';
import { flash } from '../components/Flash';
import { failureMessage } from '../db/writeFailure';
import { formatAddress } from '../components/address';

type Pending = Record<string, StepState>;
/**
 * What a tap wrote, shown until the live query delivers the saved person: while
 * the write is in flight (until undefined), then until the displayed record is
 * at least as new as the one the write produced. A quick second tap therefore
 * cycles from what the first tap wrote, never from a stale render.
 */
type Optimistic = Record<string, { until?: string; step?: StepState; independent?: boolean }>;
const keyOf = (platform: Platform, step: string) => `${platform}.${step}`;

export function PersonDetail({ id }: { id: string }) {
  const { t } = useTranslation(['screens', 'common']);
  const { db, actor } = useStore();
  const detail = usePerson(id);
  const [pending, setPending] = useState<Pending>({});
  const [optimistic, setOptimistic] = useState<Optimistic>({});
  // Taps are written one after another: setPersonStep reads the person before
  // its write transaction, so two overlapping writes would lose one tap.
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const enqueue = (job: () => Promise<WriteResult<Person>>, done: (r: WriteResult<Person>) => void) => {
    queue.current = queue.current.then(job).then(done, () => flash(t('common:errors.unexpected'), 'error'));
  };

  if (detail === undefined) return <Loading />;
  if (detail === null || detail.person.deleted) return <NotFound />;
  const { person, household, reasons } = detail;
  const year = new Date().getFullYear();

  const report = (key: string) => (r: WriteResult<Person>) => {
    if (!r.ok) {
      // Nothing was written: stop showing the tap as if it had been.
      setOptimistic(({ [key]: _failed, ...rest }) => rest);
      flash(failureMessage(t, r), 'error');
      return;
    }
    const until = r.record.updatedAt;
    setOptimistic((o) => (o[key] ? { ...o, [key]: { ...o[key], until } } : o));
    if (r.changed) flash(t('person.saved'));
  };
  const dropPending = (key: string) =>
    setPending((p) => {
      const { [key]: _gone, ...rest } = p;
      return rest;
    });
  const fresh = (key: string) => {
    const o = optimistic[key];
    return o && (o.until === undefined || person.updatedAt < o.until) ? o : undefined;
  };
  const write = (platform: Platform, step: string, value: Step) => {
    const key = keyOf(platform, step);
    dropPending(key);
    setOptimistic((o) => ({ ...o, [key]: { step: value } }));
    enqueue(() => setPersonStep(db, actor, person.id, platform, step, value), report(key));
  };
  const writeIndependent = (platform: Platform, next: boolean) => {
    setOptimistic((o) => ({ ...o, [platform]: { independent: next } }));
    enqueue(() => setIndependent(db, actor, person.id, platform, next), report(platform));
  };
  const effective = (platform: Platform): Record<string, StepState> => {
    const out: Record<string, StepState> = { ...(person.platforms[platform].steps as Record<string, StepState>) };
    for (const step of Object.keys(out)) {
      const o = fresh(keyOf(platform, step));
      if (o?.step) out[step] = o.step;
    }
    for (const [k, v] of Object.entries(pending)) {
      const [p, s] = k.split('.');
      if (p === platform && s) out[s] = v;
    }
    return out;
  };

  return (
    <section className="screen">
      <h1>{person.fullName}</h1>
      <PriorityBadges reasons={reasons} />
      <p className="muted">
        {person.birthYear !== undefined && `${t('common:bornIn', { year: person.birthYear })} (${t('common:age', { age: year - person.birthYear })}) · `}
        {household && <a href={href(paths.household(household.id))}>{formatAddress(t, household.address)}</a>}
      </p>
      {person.hasSmartphone === false && <p className="notice">{t('person.noSmartphone')}</p>}
      <p className="hint">{t('person.tapHint')}</p>

      {PLATFORMS.map((platform) => {
        const steps = effective(platform);
        return (
          <PlatformChecklist
            key={platform}
            platform={platform}
            steps={steps}
            independent={fresh(platform)?.independent ?? person.platforms[platform].independent}
            onCycle={(step) => {
              const next = nextStatus(steps[step]?.status ?? 'not_started');
              if (next === 'blocked') setPending((p) => ({ ...p, [keyOf(platform, step)]: { status: 'blocked' } }));
              else write(platform, step, { status: next });
            }}
            onBlocker={(step, blocker: Blocker | undefined, text) => {
              if (blocker && blocker !== 'other') write(platform, step, { status: 'blocked', blocker });
              else setPending((p) => ({ ...p, [keyOf(platform, step)]: { status: 'blocked', blocker, blockerText: text } }));
            }}
            onConfirmOther={(step) => {
              const s = pending[keyOf(platform, step)] ?? steps[step];
              if (s?.blockerText?.trim()) write(platform, step, { status: 'blocked', blocker: 'other', blockerText: s.blockerText.trim() });
            }}
            onIndependent={(next) => writeIndependent(platform, next)}
          />
        );
      })}

      <div className="bottom-actions">
        <a className="button secondary" href={href(paths.personEdit(person.id))}>
          {t('person.edit')}
        </a>
        {household && (
          <a className="button primary big" href={href(paths.visit(household.id))}>
            {t('household.recordVisit')}
          </a>
        )}
      </div>
    </section>
  );
}
