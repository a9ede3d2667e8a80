// Labelled form controls with a per-field error. The error is an i18n key from
// the shared schema ("validation.phone"), translated here, and tied to the
// control with aria-describedby so a screen reader reads it with the field.
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface BaseProps {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
}

function useFieldIds() {
  const id = useId();
  return { id, errorId: `${id}-error`, hintId: `${id}-hint` };
}

function describedBy(error: string | undefined, hint: string | undefined, ids: { errorId: string; hintId: string }) {
  const parts = [hint ? ids.hintId : '', error ? ids.errorId : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}

function Messages({ error, hint, errorId, hintId }: { error?: string | undefined; hint?: string | undefined; errorId: string; hintId: string }) {
  const { t } = useTranslation('common');
  return (
    <>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {t(error)}
        </p>
      )}
    </>
  );
}

/** The props every labelled control gets: id, invalid state and its messages. */
interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** Label above, control, then hint and error: the frame shared by text, text-area and select fields. */
function Framed({ label, error, hint, required, control }: BaseProps & { required?: boolean | undefined; control: (p: ControlProps) => ReactNode }) {
  const ids = useFieldIds();
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={ids.id}>
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {control({ id: ids.id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy(error, hint, ids) })}
      <Messages error={error} hint={hint} {...ids} />
    </div>
  );
}

export function TextField({
  value,
  onChange,
  type = 'text',
  inputMode,
  autoComplete = 'off',
  list,
  name,
  ...frame
}: BaseProps & {
  value: string;
  onChange: (v: string) => void;
  type?: 'text' | 'tel' | 'number' | 'date' | 'search' | 'password';
  inputMode?: 'text' | 'numeric' | 'tel' | 'search';
  autoComplete?: string;
  list?: string;
  required?: boolean;
  name?: string;
}) {
  return (
    <Framed
      {...frame}
      control={(p) => (
        <input
          {...p}
          name={name}
          type={type}
          inputMode={inputMode}
          autoComplete={autoComplete}
          list={list}
          value={value}
          required={frame.required}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    />
  );
}

export function TextAreaField({
  value,
  onChange,
  ...frame
}: BaseProps & { value: string; onChange: (v: string) => void; required?: boolean }) {
  return (
    <Framed
      {...frame}
      control={(p) => <textarea {...p} rows={3} value={value} required={frame.required} onChange={(e) => onChange(e.target.value)} />}
    />
  );
}

export function SelectField({
  value,
  onChange,
  children,
  ...frame
}: BaseProps & { value: string; onChange: (v: string) => void; children: ReactNode; required?: boolean }) {
  return (
    <Framed
      {...frame}
      control={(p) => (
        <select {...p} value={value} required={frame.required} onChange={(e) => onChange(e.target.value)}>
          {children}
        </select>
      )}
    />
  );
}

/** One option per stored code (a sex, a blocker...), labelled by its translation; the value stays the code. */
export function CodeOptions<C extends string>({ codes, label }: { codes: readonly C[]; label: (code: C) => string }) {
  return codes.map((code) => (
    <option key={code} value={code}>
      {label(code)}
    </option>
  ));
}

export function CheckboxField({
  label,
  checked,
  onChange,
  error,
  hint,
}: BaseProps & { checked: boolean; onChange: (v: boolean) => void }) {
  const ids = useFieldIds();
  return (
    <div className={`field field-check${error ? ' has-error' : ''}`}>
      <input
        id={ids.id}
        type="checkbox"
        checked={checked}
        aria-describedby={describedBy(error, hint, ids)}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={ids.id}>{label}</label>
      <Messages error={error} hint={hint} {...ids} />
    </div>
  );
}
