/**
 * The full `crate serve` stack for end-to-end tests: runCli with the real composition root
 * (src/main.ts), the fake Bot API server, the fake Spotify server, the simulated @LosslessRobot
 * behind the real GramjsGateway, real SQLite and real files in tmp folders, and a clock scaled down
 * so minutes of pacer gaps and bot timeouts take seconds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import bigInt from 'big-integer';
import { Api } from 'telegram';
import { StringSession } from 'telegram/sessions/index.js';
import { runCli } from '../../src/cli.js';
import type { Config } from '../../src/config.js';
import { scaledClock } from '../../src/engine/clock.js';
import type { Logger } from '../../src/logger.js';
import type { GatewayDeps, Wiring } from '../../src/main.js';
import { createGatewayFromConfig } from '../../src/telegram/gateway-from-config.js';
import { GramjsGateway } from '../../src/telegram/gramjs-gateway.js';
import { loadSession } from '../../src/telegram/session-file.js';
import { FakeBotApiServer, type FakeUser } from '../fakes/fake-bot-api-server.js';
import { loggedInSession, rpcError } from '../fakes/fake-invoke.js';
import { FakeTelegramPassword } from '../fakes/fake-telegram-password.js';
import { fakeId, makeTracks, openUrl, startFakeSpotify, type FakeSpotify, type FakeTrack } from '../fakes/fake-spotify-server.js';
import { SimulatedLosslessBot, type SimTrack } from '../fakes/simulated-lossless/core.js';
import { createSimulatedTelegramClient, type SimulatedClientOptions, type SimulatedTelegramClient } from '../fakes/simulated-lossless/gramjs-adapter.js';

export const OWNER: FakeUser = { id: 5_550_001, first_name: 'Owner' };
export const STRANGER: FakeUser = { id: 6_660_006, first_name: 'Mallory', username: 'mallory' };
export const API_HASH = '0123456789abcdef0123456789abcdef';
export const PLAYLIST_NAME = 'Road Trip';
/** Wall-clock share of engine time: a 2 s message gap takes 200 ms. */
export const SCALE = 0.1;

export function sink(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Ten Spotify tracks; the simulated bot knows them with decoys, one it cannot find, one it answers with the wrong file. */
export function library(count = 10): { tracks: FakeTrack[]; catalogue: SimTrack[]; notFound: number[]; wrong: number[] } {
  const tracks = makeTracks(count, { prefix: 'E2E' });
  const notFound = [5];
  const wrong = [7];
  const catalogue = tracks.map((t, i): SimTrack => {
    const k = i + 1;
    const durationSec = Math.round(t.durationMs / 1000);
    const artist = t.artists[0]!;
    const decoys =
      k % 3 === 1
        ? [
            `Ameritz Countdown Karaoke - ${t.name} (In the Style of ${artist}) [Karaoke Version]`,
            `${artist} - ${t.name} (Extended Mix) [${Math.floor((durationSec + 95) / 60)}:${String((durationSec + 95) % 60).padStart(2, '0')}]`,
            `Tribute Band - ${t.name} (Made Famous by ${artist})`,
          ]
        : [];
    return {
      id: `e2e-${k}`,
      spotifyId: t.id,
      artists: t.artists,
      title: t.name,
      durationSec,
      album: t.album.name,
      ...(t.isrc ? { isrc: t.isrc } : {}),
      ...(decoys.length ? { decoys, rowIndex: 2 } : {}),
      ...(notFound.includes(k) ? { notFound: true } : {}),
      ...(wrong.includes(k) ? { wrongFile: true } : {}),
    };
  });
  return { tracks, catalogue, notFound, wrong };
}

export interface Stack {
  server: FakeBotApiServer;
  spotify: FakeSpotify;
  bot: SimulatedLosslessBot;
  clients: SimulatedTelegramClient[];
  /** The working directory serve runs in; data/ and music/ are inside. */
  root: string;
  dataDir: string;
  downloadDir: string;
  playlistUrl: string;
  tracks: FakeTrack[];
  playlistId: string;
  notFound: number[];
  wrong: number[];
  env: Record<string, string>;
  /** Secrets that must never show up in any output. */
  secrets: string[];
  close(): Promise<void>;
}

/** `rows`: how many of the tracks the playlist lists at first (all; a watch test grows it with setRows). */
export async function startStack(options: { tracks?: number; rows?: number } = {}): Promise<Stack> {
  const { tracks, catalogue, notFound, wrong } = library(options.tracks);
  const playlistId = fakeId('playlist:e2e');
  const spotify = await startFakeSpotify({
    playlists: [{ id: playlistId, name: PLAYLIST_NAME, ownerId: 'owner', ownerName: 'Owner', rows: tracks.slice(0, options.rows ?? tracks.length) }],
    users: [{ id: 'owner', displayName: 'Owner' }],
  });
  const refreshToken = spotify.issueRefreshToken('owner');
  const server = new FakeBotApiServer();
  await server.start();
  const bot = new SimulatedLosslessBot({ catalogue, latencyMs: { reply: [5, 25], file: [20, 80] }, seed: 11 });
  const root = await mkdtemp(path.join(os.tmpdir(), 'crate-e2e-'));
  const dataDir = path.join(root, 'data');
  const downloadDir = path.join(root, 'music');
  const env: Record<string, string> = {
    ...spotify.env(),
    SPOTIFY_REFRESH_TOKEN: refreshToken,
    TELEGRAM_BOT_TOKEN: server.token,
    TELEGRAM_OWNER_ID: String(OWNER.id),
    TELEGRAM_API_ID: '12345',
    TELEGRAM_API_HASH: API_HASH,
    // Relative, as in a .env: taken from the working directory serve runs in (`cwd` below).
    CRATE_DATA_DIR: 'data',
    DOWNLOAD_FOLDER: 'music',
    BATCH_SIZE: '3',
    // 6 s of wall time at SCALE 0.1: long enough that a loaded machine's late replies are not
    // taken for silence (a timeout is a retry, and the tests count every message sent).
    RESPONSE_TIMEOUT: '60',
    LOG_LEVEL: 'trace',
  };
  const clients: SimulatedTelegramClient[] = [];
  return {
    server,
    spotify,
    bot,
    clients,
    root,
    dataDir,
    downloadDir,
    playlistUrl: `${openUrl('playlist', playlistId)}?si=e2e`,
    tracks,
    playlistId,
    notFound,
    wrong,
    env,
    secrets: [server.token, API_HASH, refreshToken, spotify.clientSecret],
    async close() {
      bot.close();
      for (const c of clients) c.sim.close();
      await server.close();
      await spotify.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A GramJS client on the simulated @LosslessRobot, remembered for cleanup. */
export function simulatedClient(stack: Stack, options: Partial<SimulatedClientOptions> = {}): SimulatedTelegramClient {
  const client = createSimulatedTelegramClient(stack.bot, { botUsername: 'LosslessRobot', latencyMs: [1, 4], ...options });
  stack.clients.push(client);
  return client;
}

/** As production builds it: the bot's peer and the FloodWait record in the run's own database (`deps`). */
function gatewayOn(client: SimulatedTelegramClient, config: Config, logger: Logger, deps?: GatewayDeps): GramjsGateway {
  return new GramjsGateway(client, {
    botUsername: config.telegram.externalBot,
    logger,
    polling: { activeIntervalMs: 250, idleIntervalMs: 1000 },
    ...(deps ? { botPeers: deps.botPeers, flood: deps.flood } : {}),
  });
}

export const LOGIN = { phone: '+44 7700 900123', code: '24680', password: 'correct horse battery', hint: 'usual' };

export interface LoginAccount {
  /** For Wiring.createLoginClient: a fresh client (auth key, not yet authorised) per login. */
  createLoginClient(): SimulatedTelegramClient;
  /** auth.* requests the login clients made, by class name. */
  requests: { className: string; phone?: string }[];
  /** The session string the login produced (once it did). */
  savedSession(): string | null;
}

/**
 * The owner's Telegram account on the login side: auth.SendCode, auth.SignIn (code 24680, then
 * SESSION_PASSWORD_NEEDED), account.GetPassword and auth.CheckPassword with a real SRP check.
 */
export async function loginAccount(stack: Stack): Promise<LoginAccount> {
  const password = new FakeTelegramPassword(LOGIN.password, LOGIN.hint);
  const requests: LoginAccount['requests'] = [];
  const owner = new Api.User({ id: bigInt(stack.bot.selfUserId), accessHash: bigInt(1122334455), self: true, firstName: 'Owner', username: 'owner' });
  const sessions: StringSession[] = [];
  // GramJS gets an auth key while connecting; the key is authorised by the sign-in.
  const freshSessions = await Promise.all([loggedInSession(), loggedInSession(), loggedInSession()]);
  return {
    requests,
    savedSession: () => sessions.find((s) => s.save() !== '')?.save() ?? null,
    createLoginClient() {
      const session = freshSessions.shift();
      if (!session) throw new Error('test: more logins than prepared sessions');
      sessions.push(session);
      return simulatedClient(stack, {
        session,
        authorized: false,
        handlers: {
          'auth.SendCode': (r: Api.auth.SendCode) => {
            requests.push({ className: r.className, phone: r.phoneNumber });
            return new Api.auth.SentCode({ type: new Api.auth.SentCodeTypeApp({ length: 5 }), phoneCodeHash: 'hash-e2e' });
          },
          'auth.SignIn': (r: Api.auth.SignIn) => {
            requests.push({ className: r.className });
            if (r.phoneCodeHash !== 'hash-e2e') throw rpcError(r, 'PHONE_CODE_HASH_EMPTY');
            if (r.phoneCode !== LOGIN.code) throw rpcError(r, 'PHONE_CODE_INVALID');
            throw rpcError(r, 'SESSION_PASSWORD_NEEDED', 401);
          },
          'account.GetPassword': (r: Api.account.GetPassword) => {
            requests.push({ className: r.className });
            return password.getPassword();
          },
          'auth.CheckPassword': (r: Api.auth.CheckPassword, { link }) => {
            requests.push({ className: r.className });
            if (!password.check(r.password)) throw rpcError(r, 'PASSWORD_HASH_INVALID');
            link.setAuthorized(true);
            return new Api.auth.Authorization({ user: owner });
          },
        },
      });
    },
  };
}

/** The user session as production builds it, but its client speaks to the simulated bot: none without a session file. */
export function gatewayFromSessionFile(stack: Stack): NonNullable<Wiring['createGateway']> {
  return async (config, logger, deps) => {
    const saved = await loadSession(config.dataDir, logger);
    // No file: exactly what production builds (an unavailable gateway that says "not logged in").
    if (saved === null) return createGatewayFromConfig(config, logger, deps);
    return gatewayOn(simulatedClient(stack, { session: new StringSession(saved), self: { username: 'owner' } }), config, logger, deps);
  };
}

/** A user session that is simply there. */
export function loggedInGateway(stack: Stack): NonNullable<Wiring['createGateway']> {
  return async (config, logger, deps) => gatewayOn(simulatedClient(stack), config, logger, deps);
}

export interface Serving {
  exit: Promise<number>;
  controller: AbortController;
  stdout: ReturnType<typeof sink>;
  stderr: ReturnType<typeof sink>;
}

export async function serve(stack: Stack, wiring: Wiring): Promise<Serving> {
  const controller = new AbortController();
  const stdout = sink();
  const stderr = sink();
  const exit = runCli(['node', 'crate', 'serve'], {
    env: stack.env,
    cwd: stack.root,
    stdout: stdout.stream,
    stderr: stderr.stream,
    shutdownSignal: controller.signal,
    wiring: {
      botApiRoot: stack.server.apiRoot,
      progressIntervalMs: 40,
      clock: scaledClock(SCALE),
      ...wiring,
    },
  });
  // Fail fast when serve exits early instead of timing out on the first wait.
  await Promise.race([
    stack.server.waitFor((calls) => calls.some((c) => c.method === 'getUpdates'), 10_000),
    exit.then((code) => {
      throw new Error(`crate serve exited early with ${code}:\n${stderr.text().slice(-2000)}`);
    }),
  ]);
  return { exit, controller, stdout, stderr };
}

/** The newest message the bot sent whose text contains `fragment`. */
export function sentWith(server: FakeBotApiServer, fragment: string, timeoutMs = 5000) {
  return server.waitFor(() => server.sentMessages((p) => String(p.text).includes(fragment)).at(-1), timeoutMs);
}

/** Every text a message was given, in order: the sendMessage text, then each successful edit. */
export function textHistory(server: FakeBotApiServer, messageId: number): string[] {
  const texts: string[] = [];
  for (const c of server.calls) {
    if (c.method === 'sendMessage' && c.response?.ok && (c.response.result as { message_id: number }).message_id === messageId) {
      texts.push(String(c.payload.text));
    }
    if (c.method === 'editMessageText' && Number(c.payload.message_id) === messageId && c.response?.ok) texts.push(String(c.payload.text));
  }
  return texts;
}

/** Button texts the message shows now (from its last successful send or edit). */
export function buttonsOf(server: FakeBotApiServer, messageId: number): string[] {
  let markup: unknown = null;
  for (const c of server.calls) {
    const sent = c.method === 'sendMessage' && c.response?.ok && (c.response.result as { message_id: number }).message_id === messageId;
    const edited = c.method === 'editMessageText' && Number(c.payload.message_id) === messageId && c.response?.ok;
    if (sent || edited) markup = c.payload.reply_markup ?? null;
  }
  const rows = (markup as { inline_keyboard?: { text: string }[][] } | null)?.inline_keyboard ?? [];
  return rows.flat().map((b) => b.text);
}
