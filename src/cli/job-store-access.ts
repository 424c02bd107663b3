import type { DrizzleJobStore } from '../db/job-store.js';
import type { CrateDb } from '../db/open.js';
import { UserError } from '../domain/errors.js';
import type { JobRecord } from '../domain/job.js';
import type { CliContext } from './context.js';

/** Opens the job database for a command that needs only it (status, report, reset) and closes it after. */
export async function withJobStore<T>(ctx: CliContext, fn: (store: DrizzleJobStore, db: CrateDb) => Promise<T> | T): Promise<T> {
  // Loaded here, not at the top: `crate --help` should not pay for SQLite and Drizzle.
  const [{ openJobStore }, { databasePath }] = await Promise.all([import('../db/job-store.js'), import('../db/open.js')]);
  const opened = openJobStore(databasePath(ctx.config().dataDir));
  try {
    return await fn(opened.store, opened.db.db);
  } finally {
    opened.close();
  }
}

/** The job named on the command line, or the most recent one. */
export function pickJob(store: DrizzleJobStore, arg: string | undefined): JobRecord {
  if (arg !== undefined) {
    const id = Number(arg.replace(/^#/, ''));
    const job = Number.isInteger(id) ? store.getJob(id) : null;
    if (!job) throw new UserError(`No job ${arg}.`, 'Run `crate status` to see the jobs.');
    return job;
  }
  const latest = store.listJobs({ limit: 1 })[0];
  if (!latest) throw new UserError('No jobs yet.', 'Start one with `crate download LINK`.');
  return latest;
}
