// First run in the browser: #/setup/<token>, the one-time link `npm start`
// prints while no user exists. One form creates the city account, the first
// ward and its residential groups (POST /api/v1/setup), and signs in.
// Groups are pasted or typed one per line; "TDP 1-28" expands to 28 groups,
// and "code<TAB>name" (pasted from a spreadsheet) names one. The parser is
// the server's (shared/wards.ts), so the preview is exactly what is created.
// Its own chunk: nobody downloads it but the person setting up a server. It
// calls fetch itself rather than through sync/http.ts, and Root hands it the
// sign-in, so the chunk shares no module with the first screen's bundle but
// the form fields (sharing splits that bundle into more, larger-in-total chunks).
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserProfile } from '../../shared/schemas';
import { parseGroupList, type SetupRequest } from '../../shared/wards';
import { TextAreaField, TextField } from '../components/Field';
import { href, navigate, paths } from '../router';
import './Setup.css';

export type SetupError = 'setup_done' | 'invalid_link' | 'weak_password' | 'invalid' | 'offline' | 'server';

/** POST /api/v1/setup: the first city user and ward; the server answers with the user and the session cookie. */
export async function setupRequest(body: SetupRequest): Promise<{ ok: true; user: UserProfile } | { ok: false; error: SetupError }> {
  let res: Response;
  let data: { user?: UserProfile; error?: { code?: string } } | undefined;
  try {
    res = await fetch('/api/v1/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    data = (await res.json().catch(() => undefined)) as typeof data;
  } catch {
    return { ok: false, error: 'offline' };
  }
  if (res.ok && data?.user) return { ok: true, user: data.user };
  const code = data?.error?.code;
  const byCode: Record<string, SetupError> = { setup_done: 'setup_done', forbidden: 'invalid_link', weak_password: 'weak_password', invalid_request: 'invalid' };
  return { ok: false, error: (code && byCode[code]) || 'server' };
}

/** How many groups the preview lists before "and N more". */
const PREVIEW = 6;

type Failure = SetupError | 'no_groups' | 'bad_groups';

/** `onSignedIn`: the session the server started (SessionContext's signedInAs). */
export function Setup({ token, onSignedIn }: { token: string; onSignedIn: (user: UserProfile) => Promise<void> }) {
  const { t } = useTranslation('session');
  const [displayName, setDisplayName] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [wardCode, setWardCode] = useState('');
  const [wardName, setWardName] = useState('');
  const [groupsText, setGroupsText] = useState('');
  const [failure, setFailure] = useState<Failure | undefined>();
  const [busy, setBusy] = useState(false);
  const parsed = useMemo(() => parseGroupList(groupsText), [groupsText]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    if (parsed.errors.length > 0) return setFailure('bad_groups');
    if (parsed.groups.length === 0) return setFailure('no_groups');
    setBusy(true);
    setFailure(undefined);
    const res = await setupRequest({
      token,
      username: username.trim(),
      password,
      displayName,
      ward: { code: wardCode.trim().toUpperCase(), name: wardName },
      groups: parsed.groups,
    });
    setBusy(false);
    if (!res.ok) return setFailure(res.error);
    navigate(paths.home(), { replace: true });
    await onSignedIn(res.user);
  }

  const shown = parsed.groups.slice(0, PREVIEW);
  return (
    <form className="login setup" onSubmit={submit} aria-labelledby="setup-title" noValidate>
      <h1 id="setup-title">{t('setup.title')}</h1>
      <p>{t('setup.intro')}</p>

      <fieldset>
        <legend>{t('setup.account')}</legend>
        <TextField label={t('setup.displayName')} value={displayName} onChange={setDisplayName} autoComplete="name" required />
        <TextField label={t('username')} name="username" value={username} onChange={setUsername} autoComplete="username" required hint={t('setup.usernameHint')} />
        <TextField label={t('password')} name="password" type="password" value={password} onChange={setPassword} autoComplete="new-password" required hint={t('setup.passwordHint')} />
      </fieldset>

      <fieldset>
        <legend>{t('setup.ward')}</legend>
        <TextField label={t('setup.wardName')} value={wardName} onChange={setWardName} required hint={t('setup.wardNameHint')} />
        <TextField label={t('setup.wardCode')} value={wardCode} onChange={setWardCode} autoComplete="off" required hint={t('setup.wardCodeHint')} />
        <TextAreaField label={t('setup.groups')} value={groupsText} onChange={setGroupsText} required hint={t('setup.groupsHint')} />
        <div className="setup-groups-preview" aria-live="polite">
          <p>{t('setup.groupsCount', { count: parsed.groups.length })}</p>
          {shown.length > 0 && (
            <ul>
              {shown.map((g) => (
                <li key={g.code}>{g.name === g.code ? g.code : `${g.code} · ${g.name}`}</li>
              ))}
              {parsed.groups.length > PREVIEW && <li>{t('setup.andMore', { count: parsed.groups.length - PREVIEW })}</li>}
            </ul>
          )}
          {parsed.errors.length > 0 && (
            <ul className="setup-groups-errors">
              {parsed.errors.slice(0, 10).map((err) => (
                <li key={`${err.line}-${err.reason}`}>{t(`setup.lineError.${err.reason}`, { line: err.line })}</li>
              ))}
            </ul>
          )}
        </div>
      </fieldset>

      {failure && (
        <div className="failure-box" role="alert">
          <p className="form-error">{t(`setup.errors.${failure}`)}</p>
          {failure === 'setup_done' && <a href={href(paths.home())}>{t('setup.goSignIn')}</a>}
        </div>
      )}
      <button type="submit" className="button primary big" disabled={busy}>
        {busy ? t('setup.creating') : t('setup.create')}
      </button>
    </form>
  );
}
