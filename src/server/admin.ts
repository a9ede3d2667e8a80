// `npm run admin -- <command>`: account administration from the server's shell.
// Uses the same database settings as the server (GOCUA_DATA_DIR / DATABASE_URL)
// and migrates first, so it works on a fresh install before the first start.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ROLES, type Role } from '../shared/schemas';
import { dbConfigFromEnv, openDb, type Db } from './db';
import { readNewPassword } from './cli-password';
import { migrate } from './migrations';
import { createUser, findUserByUsername, listUsers, toUser, updateUser } from './users';

const USAGE = `Usage: npm run admin -- <command> [options]

Commands:
  add-user --username U --role volunteer|supervisor|responder --ward WARD
           [--groups "TDP 1,TDP 2"] [--display-name "Nguyễn Văn A"]
  add-user --username U --role city [--display-name "…"]
           (a missing ward, and any groups named, are created as it goes;
            a city user has no ward and no groups)
  list-users [--ward WARD]
  disable-user --username U        (also ends the user's sessions)
  enable-user --username U
  reset-password --username U      (also ends the user's sessions)

add-user and reset-password ask for the password (typed twice, not shown), or
read the first line of stdin when it is not a terminal. Passwords need at least
10 characters and must not be common ones. (--password P still works, but
\`ps\` and your shell history keep it.)

Database: $DATABASE_URL (postgres://…) or SQLite in $GOCUA_DATA_DIR (default ./data).`;

class UsageError extends Error {}

function need(values: Record<string, string | undefined>, ...names: string[]) {
  for (const n of names) if (!values[n]) throw new UsageError(`--${n} is required`);
}

async function newPassword(values: { password?: string | undefined }): Promise<string> {
  if (values.password === undefined) return readNewPassword();
  console.warn('Warning: --password is visible to other users in `ps` and stays in your shell history; leave it out to be asked.');
  return values.password;
}

async function userId(db: Db, username: string): Promise<string> {
  const row = await findUserByUsername(db, username);
  if (!row) throw new UsageError(`no user "${username}"`);
  return row.id;
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.info(USAGE);
    if (!command) throw new UsageError('no command given');
    return;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      username: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      ward: { type: 'string' },
      groups: { type: 'string' },
      'display-name': { type: 'string' },
    },
    strict: true,
  });
  const db = openDb(dbConfigFromEnv());
  try {
    await migrate(db);
    switch (command) {
      case 'add-user': {
        need(values, 'username', 'role');
        if (!ROLES.includes(values.role as Role)) throw new UsageError(`--role must be ${ROLES.join(' or ')}`);
        const city = values.role === 'city';
        if (city && (values.ward !== undefined || values.groups !== undefined)) throw new UsageError('--role city takes no --ward and no --groups: the city sees every ward');
        if (!city) need(values, 'ward');
        const groups = (values.groups ?? '').split(',').map((g) => g.trim()).filter(Boolean);
        const user = await createUser(db, {
          username: values.username!,
          password: await newPassword(values),
          role: values.role as Role,
          ...(city ? {} : { wardCode: values.ward! }),
          groups,
          ...(values['display-name'] ? { displayName: values['display-name'] } : {}),
        });
        console.info(
          city
            ? `Created city user "${user.username}" (every ward).`
            : `Created ${user.role} "${user.username}" in ward ${user.wardCode}${groups.length ? ` (groups: ${groups.join(', ')})` : ''}.`,
        );
        return;
      }
      case 'list-users': {
        const rows = await listUsers(db, values.ward);
        if (rows.length === 0) console.info('No users.');
        for (const r of rows.map(toUser)) {
          console.info(
            [r.username, r.role, r.wardCode, r.groups.join('|') || '-', r.disabled ? 'DISABLED' : 'active', r.displayName].join('\t'),
          );
        }
        return;
      }
      case 'disable-user':
      case 'enable-user': {
        need(values, 'username');
        await updateUser(db, await userId(db, values.username!), { disabled: command === 'disable-user' });
        console.info(`${command === 'disable-user' ? 'Disabled' : 'Enabled'} "${values.username}".`);
        return;
      }
      case 'reset-password': {
        need(values, 'username');
        const id = await userId(db, values.username!);
        await updateUser(db, id, { password: await newPassword(values) });
        console.info(`Password reset for "${values.username}"; their sessions were ended.`);
        return;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await db.close();
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof z.ZodError) console.error(`Error: ${error.issues.map((i) => i.message).join('; ')}`);
  else if (error instanceof Error) console.error(`Error: ${error.message}`);
  else console.error('Error:', error);
  if (error instanceof UsageError || (error instanceof Error && error.name === 'TypeError')) console.error(`\n${USAGE}`);
  process.exitCode = 1;
});
