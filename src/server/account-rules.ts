// Who may manage whose account. A supervisor manages the accounts of their own
// ward that sit below them (volunteers; responders when they arrive), and
// their own, but never another supervisor's: a supervisor who could reset a
// peer's password could sign in as them and disable them.
// Another ward's users are not even visible (404 in routes/users.ts).
import type { UsersTable } from './db';
import { forbidden } from './errors';
import type { AuthUser, UserChanges } from './users';

/** Roles a supervisor creates and manages. */
export const MANAGED_ROLES = ['volunteer'] as const;

/** Throws 403 when `target` (a user of my ward) is not mine to manage. */
export function assertMayManage(me: AuthUser, target: UsersTable): void {
  if (target.id === me.id || (MANAGED_ROLES as readonly string[]).includes(target.role)) return;
  throw forbidden('A supervisor manages volunteers only, not other supervisors');
}

/** Throws 403 for the changes nobody makes to their own account through /users. */
export function assertOwnChangesAllowed(me: AuthUser, target: UsersTable, changes: UserChanges): void {
  if (target.id !== me.id) return;
  if (changes.disabled === true) throw forbidden('You cannot disable your own account');
  if (changes.password !== undefined) {
    throw forbidden('Change your own password with PUT /api/v1/session/password; it needs the current one');
  }
}
