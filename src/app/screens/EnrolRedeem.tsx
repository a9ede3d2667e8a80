// #/enrol/<token>: a volunteer at a literacy point scanned the supervisor's QR
// code. They pick a username and password (or, for a re-enrolment, only a new
// password), are signed in, and are offered to install the app.
//
// Shown whether or not someone is signed in on this phone (Root.tsx), in its
// own small chunk: never part of the first screen, never the console's.
// The password rules are the server's: its 400 weak_password is worded here.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { EnrolmentPreview } from '../../shared/enrolment';
import { InstallPrompt } from '../pwa/InstallPrompt';
import { navigate, paths } from '../router';
import { peekEnrolment, redeemEnrolment, type EnrolFailure } from '../session/enrolApi';
import { useSession } from '../session/SessionContext';
import type { HttpOptions } from '../sync/http';

type State =
  | { step: 'checking' }
  | { step: 'closed'; error: EnrolFailure } // the link cannot be used: used, expired, cancelled, unknown
  | { step: 'form'; preview: EnrolmentPreview }
  | { step: 'done'; displayName: string; username: string };

/** Failures that end the page: nothing the volunteer types can fix them. */
const CLOSED: readonly EnrolFailure[] = ['not_found', 'enrolment_used', 'enrolment_expired', 'enrolment_cancelled', 'too_many_attempts'];

export function EnrolRedeem({ token, http }: { token: string; http?: HttpOptions }) {
  const { t } = useTranslation('enrol');
  const { adopt } = useSession();
  const [state, setState] = useState<State>({ step: 'checking' });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ code: EnrolFailure; reason?: string | undefined } | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void peekEnrolment(token, http).then((r) => {
      if (!live) return;
      // Any failure here (also offline) leaves nothing to type into: say why.
      setState(r.ok ? { step: 'form', preview: r.preview } : { step: 'closed', error: r.error });
    });
    return () => {
      live = false;
    };
  }, [token, http]);

  if (state.step === 'checking') {
    return (
      <main className="login-page">
        <p role="status">{t('checking')}</p>
      </main>
    );
  }

  if (state.step === 'closed') {
    return (
      <main className="login-page">
        <h1>{t('closedTitle')}</h1>
        <p className="form-error" role="alert">
          {t(`errors.${state.error}`)}
        </p>
        <a className="button" href="#/">
          {t('toSignIn')}
        </a>
      </main>
    );
  }

  if (state.step === 'done') {
    return (
      <main className="login-page">
        <h1>{t('doneTitle', { name: state.displayName })}</h1>
        <p>{t('doneBody', { username: state.username })}</p>
        <InstallPrompt />
        <button type="button" className="button primary big" onClick={() => navigate(paths.home(), { replace: true })}>
          {t('goHome')}
        </button>
      </main>
    );
  }

  const { preview } = state;
  const reset = preview.kind === 'reset';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    const r = await redeemEnrolment({ token, username: reset ? undefined : username.trim(), password }, http);
    if (r.ok) {
      await adopt(r.user);
      setBusy(false);
      setState({ step: 'done', displayName: r.user.displayName, username: r.user.username });
      return;
    }
    setBusy(false);
    if (CLOSED.includes(r.error)) setState({ step: 'closed', error: r.error });
    else setError({ code: r.error, reason: r.reason });
  };

  const errorText = error
    ? error.code === 'weak_password'
      ? t(error.reason === 'too_short' ? 'errors.too_short' : 'errors.common')
      : t(`errors.${error.code}`)
    : undefined;

  return (
    <main className="login-page">
      <form className="login" onSubmit={submit} aria-labelledby="enrol-title">
        <h1 id="enrol-title">{reset ? t('resetTitle') : t('title')}</h1>
        <p>{reset ? t('resetIntro', { name: preview.displayName, username: preview.username ?? '' }) : t('intro', { name: preview.displayName })}</p>
        {!reset && (
          <>
            <label htmlFor="enrol-username">{t('username')}</label>
            <input
              id="enrol-username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              required
              aria-describedby="enrol-username-hint"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
            />
            <p className="hint" id="enrol-username-hint">
              {t('usernameHint')}
            </p>
          </>
        )}
        <label htmlFor="enrol-password">{reset ? t('newPassword') : t('password')}</label>
        <input
          id="enrol-password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          aria-describedby="enrol-password-hint"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <p className="hint" id="enrol-password-hint">
          {t('passwordHint')}
        </p>
        {errorText && (
          <p className="form-error" role="alert">
            {errorText}
          </p>
        )}
        <button type="submit" className="button primary big" disabled={busy}>
          {busy ? t('submitting') : reset ? t('submitReset') : t('submit')}
        </button>
      </form>
    </main>
  );
}
