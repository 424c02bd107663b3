import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';

/**
 * The Telegram user session (a GramJS StringSession: the account's auth key) kept as a file.
 * Whoever reads it controls the account, so: file 0600 inside a folder 0700, written atomically,
 * looser modes repaired on load, and the content never logged.
 */
const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

export function sessionFilePath(dataDir: string): string {
  return path.join(dataDir, 'session', 'telegram.session');
}

/** The stored session string, or null when there is none (never logged in, or logged out). */
export async function loadSession(dataDir: string, logger: Logger): Promise<string | null> {
  const file = sessionFilePath(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read the Telegram session file ${file}`, { cause: err });
  }
  await repairMode(path.dirname(file), FOLDER_MODE, logger);
  await repairMode(file, FILE_MODE, logger);
  const session = text.trim();
  return session === '' ? null : session;
}

export async function saveSession(dataDir: string, session: string): Promise<string> {
  if (session.trim() === '') throw new Error('refusing to save an empty Telegram session');
  const file = sessionFilePath(dataDir);
  const folder = path.dirname(file);
  await mkdir(folder, { recursive: true, mode: FOLDER_MODE });
  await chmod(folder, FOLDER_MODE);
  // Write beside, fsync, then rename: a crash never leaves a half-written session behind.
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', FILE_MODE);
  try {
    await handle.writeFile(`${session.trim()}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(temp, FILE_MODE);
  await rename(temp, file);
  return file;
}

export async function deleteSession(dataDir: string): Promise<void> {
  await rm(sessionFilePath(dataDir), { force: true });
}

async function repairMode(target: string, wanted: number, logger: Logger): Promise<void> {
  const mode = (await stat(target)).mode & 0o777;
  if ((mode & ~wanted) === 0) return;
  logger.warn(
    { path: target, mode: mode.toString(8), fixedTo: wanted.toString(8) },
    'Telegram session permissions were too open (anyone who reads it controls your account); tightened',
  );
  await chmod(target, wanted);
}
