/**
 * `crate spotify-login`: logs the owner into their own Spotify app (Authorization Code + PKCE)
 * so Crate can read the playlists they own or collaborate on with ISRCs. Works on a headless
 * box: open the printed link on any device, approve, and paste the address the browser ends on.
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { UserError } from '../domain/errors.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import type { SpotifyCommandDeps } from './missing.js';

export interface SpotifyLoginDeps extends SpotifyCommandDeps {
  /** Where the pasted address is read from; defaults to process.stdin. */
  input?: NodeJS.ReadableStream;
}

export function createSpotifyLoginCommand(deps: SpotifyLoginDeps = {}): RegisterCommand {
  return (program: Command, ctx: CliContext) => {
    program
      .command('spotify-login')
      .description('log in to your own Spotify app so Crate can read your playlists (with ISRCs)')
      .option('--logout', 'forget the stored Spotify login')
      .action(async (opts: { logout?: boolean; debug?: boolean }) => {
        await runSpotifyLogin(ctx, opts, deps);
      });
  };
}

export const registerSpotifyLogin: RegisterCommand = createSpotifyLoginCommand();

async function runSpotifyLogin(ctx: CliContext, opts: { logout?: boolean; debug?: boolean }, deps: SpotifyLoginDeps): Promise<void> {
  const config = ctx.config();
  const [{ completePkceLogin, startPkceLogin }, { SpotifyHttp }, { spotifyTokenStore }] = await Promise.all([
    import('../spotify/pkce-login.js'),
    import('../spotify/http.js'),
    import('../spotify/playlist-source.js'),
  ]);
  const store = spotifyTokenStore(config, ctx.cwd);
  if (opts.logout) {
    // Only what is there can be forgotten; SPOTIFY_REFRESH_TOKEN in the settings is not ours to remove.
    const had = store.read() !== null;
    store.clear();
    ctx.stdout.write(had ? `Forgot the stored Spotify login (${store.file}).\n` : 'No Spotify login was stored; nothing to forget.\n');
    if (config.spotify.refreshToken) ctx.stdout.write('SPOTIFY_REFRESH_TOKEN is still set in the settings: remove it there to log out fully.\n');
    return;
  }
  const logger = ctx.logger({ debug: opts.debug });
  const request = startPkceLogin(config);
  ctx.stdout.write(
    [
      'Spotify login (your own app, Authorization Code with PKCE).',
      `1. In developer.spotify.com/dashboard → your app → Settings, the Redirect URIs must include exactly:`,
      `     ${request.redirectUri}`,
      '2. Open this link (on any device), log in, and press "Agree":',
      '',
      `   ${request.authorizeUrl}`,
      '',
      '3. The browser then tries to open the redirect address and shows an error page: that is expected.',
      '   Copy the whole address from its address bar and paste it here.',
      '',
      'Address: ',
    ].join('\n'),
  );
  const pasted = await readLine(deps.input ?? process.stdin, ctx.shutdownSignal);
  const http = new SpotifyHttp({ logger, fetch: deps.fetch, clock: deps.clock });
  const login = await completePkceLogin(request, pasted, {
    http,
    store,
    accountsUrl: config.spotify.accountsUrl,
    apiUrl: config.spotify.apiUrl,
    signal: ctx.shutdownSignal,
  });
  const who = login.user ? ` as ${login.user.displayName ?? login.user.id}` : '';
  ctx.stdout.write(
    `\nLogged in to Spotify${who}. The login is stored in ${store.file} (readable by you only).\n` +
      'Crate now reads playlists you own or collaborate on through the Web API, with ISRCs.\n',
  );
}

/** One line from the input (a TTY or a pipe); a closed input before any line is a UserError. */
function readLine(input: NodeJS.ReadableStream, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input, terminal: false });
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      rl.close();
      fn();
    };
    const onAbort = () => finish(() => reject(new UserError('Login cancelled.')));
    signal.addEventListener('abort', onAbort, { once: true });
    rl.on('line', (line) => {
      if (line.trim() !== '') finish(() => resolve(line));
    });
    rl.on('close', () => finish(() => reject(new UserError('No address was pasted.', 'Run `crate spotify-login` again and paste the address after approving.'))));
  });
}
