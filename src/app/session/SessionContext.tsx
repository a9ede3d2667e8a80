// Who is using the app, and the sync engine that works for them.
//
// The last signed-in profile opens offline. Signing in needs the network once.
// A 401 from the server (session expired or revoked) keeps the user's data and
// work going; the volunteer is asked to sign in again and sync then resumes.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { UserProfile } from '../../shared/schemas';
import { userDb } from '../db/database';
import { SyncEngine, type SyncStatus } from '../sync/engine';
import { resetPullCursor } from '../db/pulledPages';
import { checkSession, signInRequest, signOutRequest, type SignInError } from './api';
import { currentProfile, forgetCurrentUser, rememberProfile } from '../db/deviceDb';
import { refreshWard } from '../sync/wards';

type SessionState =
  | { status: 'loading' }
  | { status: 'signed_out' }
  | { status: 'signed_in'; user: UserProfile; engine: SyncEngine };

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

function engineFor(user: UserProfile): SyncEngine {
  return new SyncEngine(userDb(user.id), `gocua-sync-${user.id}`, {}, user.id);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    void currentProfile().then((user) => {
      if (cancelled) return;
      setSession(user ? { status: 'signed_in', user, engine: engineFor(user) } : { status: 'signed_out' });
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const engine = session.status === 'signed_in' ? session.engine : undefined;
  useEffect(() => {
    if (!engine) return;
    let cancelled = false;
    void engine.start();
    // Refresh the profile (groups may have changed) and learn early if the session expired.
    void checkSession().then(async (r) => {
      // Ignore the answer if this user signed out meanwhile, or it is someone else's session.
      if (cancelled || r.state !== 'valid' || r.user.id !== engine.userId) return;
      // The ward's groups and their names, for the pickers (kept for offline use).
      void refreshWard(engine.db, r.user.wardCode);
      const before = await currentProfile();
      await rememberProfile(r.user);
      // Newly assigned groups hold rows whose versions the cursor is already
      // past: pull everything again (pulled records never override pending edits).
      if (before && groupsKey(before.groups) !== groupsKey(r.user.groups)) {
        await resetPullCursor(engine.db);
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
        if (before && groupsKey(before.groups) !== groupsKey(user.groups)) await resetPullCursor(session.engine.db);
        setSession({ ...session, user });
        session.engine.resume();
      } else {
        setSession({ status: 'signed_in', user, engine: engineFor(user) });
      }
    },
    [session],
  );

  const signIn = useCallback(
    async (username: string, password: string) => {
      const res = await signInRequest(username, password);
      if (!res.ok) return res;
      await adopt(res.user);
      return { ok: true as const };
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    await signOutRequest().catch(() => undefined);
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
export function useSyncStatus(engine: SyncEngine): SyncStatus {
  const [status, setStatus] = useState(engine.status);
  useEffect(() => {
    setStatus(engine.status);
    return engine.subscribe(setStatus);
  }, [engine]);
  return status;
}
