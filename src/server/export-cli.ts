// `npm run export -- --ward W --dataset D --format csv|xlsx --out FILE [...]`:
// the same files as GET /api/v1/exports/{dataset}.{format}, for a ward office
// without a browser. Runs on the server against the database directly (same
// settings as npm start: GOCUA_DATA_DIR / DATABASE_URL), migrates first, and
// writes the same audit row, with the user recorded as 'cli' (role 'cli').
// The same rules as the route: every flag is checked before the file is
// created; detail=full needs a --reason of at least 10 characters.
import { createWriteStream, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DATASETS, FORMATS, exportQuerySchema, type Dataset, type ExportFormat } from '../shared/exports';
import { dbConfigFromEnv, openDb } from './db';
import { ApiError } from './errors';
import { planExport, type Exporter } from './exports/access';
import { finishAudit, startAudit } from './exports/audit';
import { checkSheetFits, streamExport } from './exports/stream';
import { migrate } from './migrations';

const USAGE = `Usage: npm run export -- --ward WARD --dataset ${DATASETS.join('|')} --format ${FORMATS.join('|')} --out FILE
         [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--group "TDP 1"]
         [--detail full --reason "why the office needs names (10+ characters)"]

Without --detail full the file is redacted: no names, phones, birth years,
notes, escalation detail or house numbers. Every export is recorded in the
export audit (GET /api/v1/audit/exports) as user "cli".

Database: $DATABASE_URL (postgres://…) or SQLite in $GOCUA_DATA_DIR (default ./data).`;

class UsageError extends Error {}

function parse(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
    args: argv,
    strict: true,
    options: {
      ward: { type: 'string' },
      dataset: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      group: { type: 'string' },
      detail: { type: 'string' },
      reason: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) {
    console.info(USAGE);
    process.exit(0);
  }
  for (const name of ['ward', 'dataset', 'format', 'out'] as const) if (!values[name]) throw new UsageError(`--${name} is required`);
  if (!DATASETS.includes(values.dataset as Dataset)) throw new UsageError(`--dataset must be one of ${DATASETS.join(', ')}`);
  if (!FORMATS.includes(values.format as ExportFormat)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
  const { ward, dataset, format, out } = values;
  const query = Object.fromEntries(
    (['from', 'to', 'group', 'detail', 'reason', 'ward'] as const).filter((k) => values[k] !== undefined).map((k) => [k, values[k]]),
  );
  const q = exportQuerySchema.safeParse(query);
  if (!q.success) throw new UsageError(q.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  return { dataset: dataset as Dataset, format: format as ExportFormat, out: out!, q: q.data, ward: ward! };
}

async function main(argv: string[]): Promise<void> {
  const { dataset, format, out, q, ward: wardFlag } = parse(argv);
  const me: Exporter = { id: 'cli', role: 'cli', wardCode: wardFlag };
  const now = new Date();
  const { params, audit } = planExport(me, dataset, format, q, now);
  const db = openDb(dbConfigFromEnv());
  const progress = { rows: 0 };
  let auditId: string | undefined;
  try {
    await migrate(db);
    await checkSheetFits(db, params); // before the audit row and the file, like the route
    auditId = await startAudit(db, audit);
    const file = createWriteStream(out);
    try {
      await streamExport(db, params, file, { progress });
    } catch (error) {
      file.destroy();
      rmSync(out, { force: true }); // never leave a partial file that looks complete
      throw error;
    }
    await finishAudit(db, auditId, progress.rows, 'complete');
    console.info(`${out}: ${progress.rows} rows (${audit.detail}), export ${auditId}`);
  } catch (error) {
    if (auditId) await finishAudit(db, auditId, progress.rows, 'incomplete').catch(() => undefined);
    throw error;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ApiError) {
    console.error(`Error: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`Export failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
