// Sign-in. Needs the network once; after that the app opens offline.
import { useState, type FormEvent, type InputHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from './SessionContext';
import type { SignInError } from './api';

export function LoginScreen({ reason }: { reason?: 'expired' }) {
  const { t } = useTranslation('session');
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<SignInError | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    const res = await signIn(username.trim(), password);
    setBusy(false);
    if (!res.ok) setError(res.error);
  };

  return (
    <form className="login" onSubmit={submit} aria-labelledby="login-title">
      <h1 id="login-title">{reason === 'expired' ? t('expiredTitle') : t('title')}</h1>
      <p>{reason === 'expired' ? t('expiredIntro') : t('intro')}</p>
      <LoginInput name="username" label={t('username')} autoComplete="username" autoCapitalize="none" value={username} onChange={setUsername} />
      <LoginInput name="password" label={t('password')} type="password" autoComplete="current-password" value={password} onChange={setPassword} />
      {error && (
        <p className="form-error" role="alert">
          {t(`errors.${error}`)}
        </p>
      )}
      <button type="submit" className="button primary big" disabled={busy}>
        {busy ? t('signingIn') : t('signIn')}
      </button>
    </form>
  );
}

/** A required sign-in input under its label, with the fixed id `login-<name>`. */
function LoginInput({
  name,
  label,
  value,
  onChange,
  ...attributes
}: { name: 'username' | 'password'; label: string; value: string; onChange: (v: string) => void } & Pick<
  InputHTMLAttributes<HTMLInputElement>,
  'type' | 'autoComplete' | 'autoCapitalize'
>) {
  const id = `login-${name}`;
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} {...attributes} required value={value} onChange={(e) => onChange(e.target.value)} />
    </>
  );
}
