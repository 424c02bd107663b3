import type { DrizzleJobStore } from '../db/job-store.js';
import type { CrateDb } from '../db/open.js';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { UserError } from '../domain/errors.js';
import { DATA_FOLDER, databaseError, errorCode, folderError } from './data-folders.js';
import type { JobRecord } from '../domain/job.js';
import type { CliContext } from './context.js';

/**
 * Opens the job database for a command that needs only it (status, report, reset) and closes it
 * after. These commands only read (or delete rows): with no database yet they work on an empty
 * in-memory one and create nothing; a data folder or database they cannot use is a UserError.
 */
export async function withJobStore<T>(ctx: CliContext, fn: (store: DrizzleJobStore, db: CrateDb) => Promise<T> | T): Promise<T> {
  // Loaded here, not at the top: `crate --help` should not pay for SQLite and Drizzle.
  const [{ openJobStore }, { databasePath }] = await Promise.all([import('../db/job-store.js'), import('../db/open.js')]);
  const file = existingDatabase(ctx.config().dataDir, databasePath);
  let opened: ReturnType<typeof openJobStore>;
  try {
    opened = openJobStore(file ?? ':memory:');
  } catch (err) {
    throw file ? databaseError(err, file) : err;
  }
  try {
    return await fn(opened.store, opened.db.db);
  } finally {
    opened.close();
  }
}

/** The database file if there is one; null when the data folder (or the file) does not exist yet. */
export function existingDatabase(dataDir: string, databasePath: (dir: string) => string): string | null {
  const file = databasePath(dataDir);
  try {
    const dir = statSync(dataDir);
    if (!dir.isDirectory()) throw Object.assign(new Error(`${dataDir} is not a directory`), { code: 'EEXIST' });
    accessSync(dataDir, constants.R_OK | constants.X_OK);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return null;
    throw folderError(err, dataDir, DATA_FOLDER);
  }
  return existsSync(file) ? file : null;
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
