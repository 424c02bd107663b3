import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type CrateDb = BetterSQLite3Database<typeof schema>;

export interface OpenedDb {
  db: CrateDb;
  /** Path of the SQLite file (":memory:" in some tests). */
  file: string;
  close(): void;
}

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Opens (creating if needed) the single SQLite file, in WAL mode, with every migration applied. */
export function openDatabase(file: string): OpenedDb {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file);
  } catch (err) {
    throw new Error(`Cannot open the database at ${file}`, { cause: err });
  }
  // Job history names the owner's playlists and messages: keep it private like the session (SQLite
  // gives its -wal/-shm files the database file's mode).
  if (file !== ':memory:') chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commit).
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  try {
    migrate(db, { migrationsFolder: MIGRATIONS });
  } catch (err) {
    sqlite.close();
    throw new Error(`Cannot apply database migrations to ${file}`, { cause: err });
  }
  return { db, file, close: () => sqlite.close() };
}

export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'crate.sqlite');
}
