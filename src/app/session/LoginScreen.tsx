// Sign-in. Needs the network once; after that the app opens offline.
import { useState, type FormEvent } from 'react';
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
      <label htmlFor="login-username">{t('username')}</label>
      <input
        id="login-username"
        name="username"
        autoComplete="username"
        autoCapitalize="none"
        required
        value={username}
        onChange={(e) => setUsername(e.target.value)}
      />
      <label htmlFor="login-password">{t('password')}</label>
      <input
        id="login-password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
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
