// Who may manage whose account.
//
//   - A supervisor manages the accounts of their own ward that sit below them
//     (volunteers and responders), and their own, but never another
//     supervisor's: a supervisor who could reset a peer's password could sign
//     in as them and disable them. Another ward's users are not even visible
//     (404 in routes/users.ts).
//   - The city manages supervisors, of every ward, and its own account; not
//     volunteers or responders (their supervisor does), not other city users
//     (the admin CLI does).
//   - Volunteers and responders manage nobody.
import type { Role } from '../shared/schemas';
import type { UsersTable } from './db';
import { forbidden } from './errors';
import { seesAllWards } from './scope';
import type { AuthUser, UserChanges } from './users';

/** Roles each role creates and manages through /api/v1/users. */
export const MANAGED_ROLES = {
  supervisor: ['volunteer', 'responder'],
  city: ['supervisor'],
  volunteer: [],
  responder: [],
} as const satisfies Record<Role, readonly Role[]>;

export function manages(me: Pick<AuthUser, 'role'>, role: string): boolean {
  return (MANAGED_ROLES[me.role] as readonly string[]).includes(role);
}

/** May `me` see this account at all? Otherwise it answers 404, exactly like an unknown id. */
export function seesAccount(me: AuthUser, target: UsersTable): boolean {
  return seesAllWards(me) || target.ward_code === me.wardCode;
}

/** Throws 403 when `target` (an account `me` sees) is not theirs to manage. */
export function assertMayManage(me: AuthUser, target: UsersTable): void {
  if (target.id === me.id || manages(me, target.role)) return;
  throw forbidden(
    me.role === 'city' ? 'The city manages supervisors only' : 'A supervisor manages volunteers and responders only, not other supervisors',
  );
}

/** Throws 403 for the changes nobody makes to their own account through /users. */
export function assertOwnChangesAllowed(me: AuthUser, target: UsersTable, changes: UserChanges): void {
  if (target.id !== me.id) return;
  if (changes.disabled === true) throw forbidden('You cannot disable your own account');
  if (changes.password !== undefined) {
    throw forbidden('Change your own password with PUT /api/v1/session/password; it needs the current one');
  }
}
