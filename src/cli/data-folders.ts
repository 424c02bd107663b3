/**
 * The folders and the database file a command needs, checked in plain words: a folder that is a
 * file, one the user may not write, a database owned by someone else. Each becomes a UserError
 * (exit 2) that names the path, what is wrong and the fix, instead of an "unexpected error: EACCES".
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { UserError } from '../domain/errors.js';

export interface FolderRole {
  /** "data folder", "download folder" */
  what: string;
  /** The setting that moves it: CRATE_DATA_DIR, DOWNLOAD_FOLDER (or a flag). */
  setting: string;
}

export const DATA_FOLDER: FolderRole = { what: 'data folder', setting: 'CRATE_DATA_DIR' };
export const DOWNLOAD_FOLDER: FolderRole = { what: 'download folder', setting: 'DOWNLOAD_FOLDER' };

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** The errno-style code of an error or of the first cause that has one (better-sqlite3 wraps its own). */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

const FS_CODES = new Set(['EACCES', 'EPERM', 'EEXIST', 'ENOTDIR', 'EROFS', 'EISDIR', 'ENOSPC']);

/** Turns a file-system failure on a folder into a UserError; anything else is returned unchanged. */
export function folderError(err: unknown, dir: string, role: FolderRole): unknown {
  const code = errorCode(err);
  if (!code || !(FS_CODES.has(code) || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY'))) return err;
  const move = `or set ${role.setting} to another folder`;
  switch (code) {
    case 'EEXIST':
    case 'ENOTDIR':
      return new UserError(`The ${role.what} ${dir} is a file (or lies under one), not a folder.`, `Move that file away, ${move}.`, { cause: err });
    case 'EROFS':
      return new UserError(`The ${role.what} ${dir} is on a read-only file system.`, `Mount it writable, ${move}.`, { cause: err });
    case 'ENOSPC':
      return new UserError(`The disk holding the ${role.what} ${dir} is full.`, 'Free some space and run the command again.', { cause: err });
    default:
      return new UserError(
        `Crate (running as ${currentUser()}) may not write to the ${role.what} ${dir} (${code}).`,
        `Give ${currentUser()} write access (e.g. \`sudo chown -R ${currentUser()} ${dir}\`), ${move}.`,
        { cause: err },
      );
  }
}

/** The database file exists but cannot be used: usually another user's file. */
export function databaseError(err: unknown, file: string): unknown {
  const code = errorCode(err);
  if (code === 'EPERM' || code === 'EACCES' || code?.startsWith('SQLITE_READONLY') || code?.startsWith('SQLITE_CANTOPEN')) {
    let owner = '';
    try {
      const uid = statSync(file).uid;
      if (uid !== process.getuid?.()) owner = ` it belongs to another user (uid ${uid}) and`;
    } catch {
      // Unreadable: the message below still names the file and the fix.
    }
    return new UserError(
      `Cannot use the database ${file}:${owner} Crate (running as ${currentUser()}) may not write it (${code}).`,
      `Run Crate as the user who owns it, or give it to ${currentUser()}: \`sudo chown ${currentUser()} ${file}*\` (the -wal/-shm files too).`,
      { cause: err },
    );
  }
  return folderError(err, path.dirname(file), DATA_FOLDER);
}

/**
 * Before a command writes into `dir`: it is a folder (or can be created: its nearest existing
 * parent is a folder) and this user may write there. Creates nothing.
 */
export function checkWritableFolder(dir: string, role: FolderRole): void {
  let existing = dir;
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    if (!statSync(existing).isDirectory()) {
      throw Object.assign(new Error(`${existing} is not a directory`), { code: existing === dir ? 'EEXIST' : 'ENOTDIR' });
    }
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw folderError(err, dir, role);
  }
}
