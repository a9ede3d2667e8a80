// Who is using the app, and the sync engine that works for them.
//
// The last signed-in profile opens offline. Signing in needs the network once.
// A 401 from the server (session expired or revoked) keeps the user's data and
// work going; the volunteer is asked to sign in again and sync then resumes.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
//
// The first screen (sign-in or Home) renders without the sync engine, the
// server calls or zod: they are imported right after first paint (the engine
// by the effect below, the API on the first call), so `engine` is undefined
// for the first frames of a signed-in session.
import type { UserProfile } from '../../shared/schemas';
import type { SyncEngine, SyncStatus } from '../sync/engine';
import type { SignInError } from './api';
import { readCurrentProfile } from '../db/deviceProfile';

type SessionState =
  | { status: 'loading' }
  | { status: 'signed_out' }
  | { status: 'signed_in'; user: UserProfile; engine: SyncEngine | undefined };

const loadApi = () => import('./api');
const device = () => import('../db/deviceDb');
const currentProfile = async () => (await device()).currentProfile();
const rememberProfile = async (p: UserProfile) => (await device()).rememberProfile(p);
const forgetCurrentUser = async () => (await device()).forgetCurrentUser();
const validStoredProfile = async (p: UserProfile) => (await device()).validStoredProfile(p);
const resetPullCursor = async (userId: string) => {
  const [{ resetPullCursor }, { userDb }] = await Promise.all([import('../db/pulledPages'), import('../db/database')]);
  await resetPullCursor(userDb(userId));
};

/** What the status bar shows before the engine has loaded: the same shape, so nothing moves. */
export const IDLE_SYNC_STATUS: SyncStatus = { syncing: false, needsSignIn: false };

interface SessionApi {
  session: SessionState;
  signIn(username: string, password: string): Promise<{ ok: true } | { ok: false; error: SignInError }>;
  /** Signs out; the user's records stay on the device and sync at the next sign-in. */
  signOut(): Promise<void>;
  /** The server already started a session for `user` (an enrolment was redeemed): use it on this device. */
  adopt(user: UserProfile): Promise<void>;
}

const Ctx = createContext<SessionApi | null>(null);

const groupsKey = (groups: readonly string[]) => [...groups].sort().join('\n');

async function engineFor(user: UserProfile): Promise<SyncEngine> {
  const [{ SyncEngine }, { userDb }] = await Promise.all([import('../sync/engine'), import('../db/database')]);
  return new SyncEngine(userDb(user.id), `gocua-sync-${user.id}`, {}, user.id);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    void readCurrentProfile().then((user) => {
      if (cancelled) return;
      setSession(user ? { status: 'signed_in', user, engine: undefined } : { status: 'signed_out' });
    });
    return () => {
      cancelled = true;
    };
  }, []);

  // Right after the first paint of a signed-in session: the full check of the
  // stored profile, then the sync engine.
  const userId = session.status === 'signed_in' ? session.user.id : undefined;
  const needsEngine = session.status === 'signed_in' && !session.engine;
  useEffect(() => {
    if (!needsEngine || !userId) return;
    let cancelled = false;
    void (async () => {
      const user = await currentProfile();
      if (cancelled || !user || user.id !== userId) return;
      if (!(await validStoredProfile(user))) {
        await forgetCurrentUser();
        if (!cancelled) setSession({ status: 'signed_out' });
        return;
      }
      const engine = await engineFor(user);
      if (cancelled) return;
      setSession((s) => (s.status === 'signed_in' && s.user.id === userId && !s.engine ? { ...s, engine } : s));
    })();
    return () => {
      cancelled = true;
    };
  }, [needsEngine, userId]);

  const engine = session.status === 'signed_in' ? session.engine : undefined;
  useEffect(() => {
    if (!engine) return;
    let cancelled = false;
    void engine.start();
    // Refresh the profile (groups may have changed) and learn early if the session expired.
    void loadApi().then(async ({ checkSession }) => {
      const r = await checkSession();
      // Ignore the answer if this user signed out meanwhile, or it is someone else's session.
      if (cancelled || r.state !== 'valid' || r.user.id !== engine.userId) return;
      // The ward's groups and their names, for the pickers (kept for offline use).
      void import('../sync/wards').then(({ refreshWard }) => refreshWard(engine.db, r.user.wardCode));
      const before = await currentProfile();
      await rememberProfile(r.user);
      // Newly assigned groups hold rows whose versions the cursor is already
      // past: pull everything again (pulled records never override pending edits).
      if (before && groupsKey(before.groups) !== groupsKey(r.user.groups)) {
        await resetPullCursor(r.user.id);
        void engine.syncNow();
      }
    });
    return () => {
      cancelled = true;
      engine.stop();
    };
  }, [engine]);

  const adopt = useCallback(
    async (user: UserProfile) => {
      const before = await currentProfile();
      await rememberProfile(user);
      if (session.status === 'signed_in' && session.user.id === user.id) {
        // Signed in again after a 401: groups may have changed meanwhile.
        if (before && groupsKey(before.groups) !== groupsKey(user.groups)) await resetPullCursor(user.id);
        setSession({ ...session, user });
        session.engine?.resume();
      } else {
        // The engine loads after the first paint (the effect above).
        setSession({ status: 'signed_in', user, engine: undefined });
      }
    },
    [session],
  );

  const signIn = useCallback(
    async (username: string, password: string) => {
      const { signInRequest } = await loadApi();
      const res = await signInRequest(username, password);
      if (!res.ok) return res;
      await adopt(res.user);
      return { ok: true as const };
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    await loadApi()
      .then(({ signOutRequest }) => signOutRequest())
      .catch(() => undefined);
    await forgetCurrentUser();
    setSession({ status: 'signed_out' });
  }, []);

  const api = useMemo(() => ({ session, signIn, signOut, adopt }), [session, signIn, signOut, adopt]);
  return <Ctx.Provider value={api}>{children}</Ctx.Provider>;
}

export function useSession(): SessionApi {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The sync engine's live status. */
export function useSyncStatus(engine: SyncEngine | undefined): SyncStatus {
  const [status, setStatus] = useState(engine?.status ?? IDLE_SYNC_STATUS);
  useEffect(() => {
    if (!engine) return;
    setStatus(engine.status);
    return engine.subscribe(setStatus);
  }, [engine]);
  return status;
}
