/**
 * The owner's Spotify login (a refresh token) on disk: one JSON file, mode 0600, in a 0700
 * folder under CRATE_DATA_DIR. It is a secret: it never reaches a log line or an error message.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface StoredSpotifyLogin {
  refreshToken: string;
  /** The app the token belongs to: a refresh only works with the client id that issued it. */
  clientId: string;
  scope: string;
  savedAt: number;
  /** Who logged in, when Spotify said (shown by status/doctor; never the e-mail). */
  user: { id: string; displayName: string | null } | null;
}

export class SpotifyTokenStore {
  readonly dir: string;
  readonly file: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'spotify');
    this.file = path.join(this.dir, 'login.json');
  }

  read(): StoredSpotifyLogin | null {
    if (!existsSync(this.file)) return null;
    // Whoever reads the token reads the owner's playlists: looser modes (a copy, a restore, a umask) are tightened.
    tighten(this.dir, 0o700);
    tighten(this.file, 0o600);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new Error(`The stored Spotify login at ${this.file} is unreadable; delete it and run \`crate spotify-login\` again`, {
        cause: err,
      });
    }
    const v = parsed as Partial<StoredSpotifyLogin>;
    if (typeof v.refreshToken !== 'string' || v.refreshToken === '' || typeof v.clientId !== 'string' || v.clientId === '') {
      throw new Error(`The stored Spotify login at ${this.file} is incomplete; delete it and run \`crate spotify-login\` again`);
    }
    return {
      refreshToken: v.refreshToken,
      clientId: v.clientId,
      scope: typeof v.scope === 'string' ? v.scope : '',
      savedAt: typeof v.savedAt === 'number' ? v.savedAt : 0,
      user: v.user && typeof v.user.id === 'string' ? { id: v.user.id, displayName: v.user.displayName ?? null } : null,
    };
  }

  /** Atomic write (temp file + rename) so a crash never leaves half a token. */
  write(login: StoredSpotifyLogin): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }

  clear(): void {
    rmSync(this.file, { force: true });
  }
}

/** Repairs a mode that gives group or others any access. */
function tighten(target: string, mode: number): void {
  if ((statSync(target).mode & 0o077) !== 0) chmodSync(target, mode);
}
