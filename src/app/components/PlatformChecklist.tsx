// One platform's checklist as tap-to-cycle chips, plus the prominent
// "did it alone" toggle. Used by the person screen, the visit form and
// literacy-point walk-ins, so a step looks and behaves the same everywhere.
//
// A tap cycles not_started → done → blocked → not_started. A blocked step asks
// for its blocker right under the chips; 'other' also asks for a few words.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { BLOCKERS, PLATFORM_STEPS, type Blocker, type Platform, type StepStatus } from '../../shared/platforms';
import { CodeOptions } from './Field';
import './PlatformChecklist.css';

export interface StepState {
  status: StepStatus;
  blocker?: Blocker | undefined;
  blockerText?: string | undefined;
}

export function nextStatus(s: StepStatus): StepStatus {
  return s === 'not_started' ? 'done' : s === 'done' ? 'blocked' : 'not_started';
}

const ICON: Record<StepStatus, string> = { not_started: '○', done: '✓', blocked: '!' };

export function StepChip({ label, status, onTap }: { label: string; status: StepStatus; onTap: () => void }) {
  const { t } = useTranslation('common');
  return (
    <button
      type="button"
      className={`chip chip-${status}`}
      aria-pressed={status === 'done' ? true : status === 'blocked' ? 'mixed' : false}
      onClick={onTap}
    >
      <span className="chip-icon" aria-hidden="true">
        {ICON[status]}
      </span>
      <span className="chip-label">{label}</span>
      <span className="chip-status">{t(`stepStatus.${status}`)}</span>
    </button>
  );
}

export function AloneToggle({ on, onChange }: { on: boolean; onChange: (next: boolean) => void }) {
  const { t } = useTranslation('common');
  return (
    <button type="button" className="alone-toggle" aria-pressed={on} onClick={() => onChange(!on)}>
      <span aria-hidden="true">{on ? '★' : '☆'}</span> {t('independent')}
    </button>
  );
}

export interface PlatformChecklistProps {
  platform: Platform;
  steps: Readonly<Record<string, StepState>>;
  independent: boolean;
  onCycle: (step: string) => void;
  onBlocker: (step: string, blocker: Blocker | undefined, text: string | undefined) => void;
  onIndependent: (next: boolean) => void;
  /** When given, "other" blockers are confirmed with a button (immediate-save screens). */
  onConfirmOther?: ((step: string) => void) | undefined;
  /** i18n keys per step, e.g. { installed: 'validation.blockerRequired' }. */
  errors?: Readonly<Record<string, string | undefined>> | undefined;
}

export function PlatformChecklist({
  platform,
  steps,
  independent,
  onCycle,
  onBlocker,
  onIndependent,
  onConfirmOther,
  errors = {},
}: PlatformChecklistProps) {
  const { t } = useTranslation('common');
  const id = useId();
  const stepNames = PLATFORM_STEPS[platform] as readonly string[];
  const done = stepNames.filter((s) => steps[s]?.status === 'done').length;
  return (
    <fieldset className={`checklist${independent ? ' is-independent' : ''}`}>
      <legend>{t(`platforms.${platform}`)}</legend>
      <p className="checklist-progress">{t('progress', { done, total: stepNames.length })}</p>
      <div className="chips">
        {stepNames.map((step) => (
          <StepChip
            key={step}
            label={t(`steps.${platform}.${step}`)}
            status={steps[step]?.status ?? 'not_started'}
            onTap={() => onCycle(step)}
          />
        ))}
      </div>
      {stepNames.map((step) => {
        const s = steps[step];
        if (s?.status !== 'blocked') return null;
        const selectId = `${id}-${step}-blocker`;
        const textId = `${id}-${step}-text`;
        const error = errors[step];
        return (
          <div key={step} className={`blocker${error ? ' has-error' : ''}`}>
            <label htmlFor={selectId}>{t('blockerFor', { step: t(`steps.${platform}.${step}`) })}</label>
            <select
              id={selectId}
              value={s.blocker ?? ''}
              aria-invalid={error && !s.blocker ? true : undefined}
              onChange={(e) => onBlocker(step, (e.target.value || undefined) as Blocker | undefined, s.blockerText)}
            >
              <option value="">{t('chooseBlocker')}</option>
              <CodeOptions codes={BLOCKERS} label={(b) => t(`blockers.${b}`)} />
            </select>
            {s.blocker === 'other' && (
              <>
                <label htmlFor={textId}>{t('blockerOtherText')}</label>
                <input
                  id={textId}
                  type="text"
                  value={s.blockerText ?? ''}
                  onChange={(e) => onBlocker(step, 'other', e.target.value)}
                />
                {onConfirmOther && (
                  <button
                    type="button"
                    className="button secondary"
                    disabled={!s.blockerText?.trim()}
                    onClick={() => onConfirmOther(step)}
                  >
                    {t('actions.saveReason')}
                  </button>
                )}
              </>
            )}
            {error && <p className="field-error">{t(error)}</p>}
          </div>
        );
      })}
      <AloneToggle on={independent} onChange={onIndependent} />
    </fieldset>
  );
}
