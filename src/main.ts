/**
 * The composition root: the one place that knows every concrete class. Config → logger → SQLite →
 * adapters (Spotify, the Telegram user session, the Lossless protocol, the library) → engine →
 * control bot / CLI. Everything is built per command run; nothing is created at import time.
 *
 * Heavy modules (SQLite + Drizzle, GramJS, grammY, music-metadata) are imported inside the functions
 * that need them: `crate --help`, `status` or `report` never pay for GramJS or grammY
 * (`npm run bench -- startup`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MIN_MESSAGE_GAP_SECONDS, requireSettings, type Config } from './config.js';
import type { DrizzleJobStore } from './db/job-store.js';
import type { DrizzleBotPeerStore } from './db/bot-peer-store.js';
import { UserError } from './domain/errors.js';
import type { BotPeerStore, TelegramGateway } from './domain/telegram.js';
import { systemClock } from './engine/clock.js';
import { withDeadline } from './engine/deadline.js';
import { boundedService } from './engine/bounded-service.js';
import type { JobService } from './engine/job-service.js';
import type { Pacer } from './engine/pacer.js';
import type { Clock } from './engine/ports.js';
import type { WatchService } from './engine/watch-service.js';
import { addSecrets, loginFlowLogger, type Logger } from './logger.js';
import type { LosslessAcquirer } from './lossless/create-acquirer.js';
import type { FetchLike } from './spotify/http.js';
import type { PkceLoginRequest } from './spotify/pkce-login.js';
import type { SpotifySource } from './spotify/playlist-source.js';
import type { LoginFlowOptions } from './telegram/login.js';
import { sessionFilePath } from './telegram/session-file.js';
import type { SwitchableGateway } from './telegram/switchable-gateway.js';
import type { BotAccountControl, CrateSettings, ProgressMessageStore, SettingsStore, SpotifyLogin, TelegramLoginFlow } from './bot/ports.js';
import type { RegisterCommand } from './cli/commands.js';
import { databaseError } from './cli/data-folders.js';
import { registerDebugMatch } from './cli/debug-match.js';
import { registerDebugExchange } from './cli/debug-exchange.js';
import { createProbeCommand, type ProbeRuntime } from './cli/probe.js';
import type { ExchangeProbe } from './bot/ports.js';
import { createDoctorCommand, type DoctorProbes, type SpotifyDoctorProbe } from './cli/doctor.js';
import { createDownloadCommand } from './cli/download.js';
import type { DownloadRuntime } from './cli/download-run.js';
import { registerLogin } from './cli/login.js';
import { createMissingCommand } from './cli/missing.js';
import { registerReport } from './cli/report.js';
import { registerReset } from './cli/reset.js';
import { registerAcceptBot } from './cli/accept-bot.js';
import { createServeCommand, type ServeRuntime } from './cli/serve.js';
import { registerSpotifyLogin } from './cli/spotify-login.js';
import { createStatusCommand, type SessionView } from './cli/status.js';
import { createVerifyCommand } from './cli/verify.js';
import { createWatchCommand, type WatchRuntime } from './cli/watch.js';
import { registerHealth } from './cli/health-command.js';
import { RECORDED_HEALTH_MAX_AGE_MS, SERVE_HEALTH_KEY, parseSnapshot, recordedSessionStatus } from './cli/health-snapshot.js';
import { acquireAccountLock, currentLockHolder, describeHolder, type AccountLock, type LockCommand } from './lock/account-lock.js';
import { jobOwnership } from './lock/job-ownership.js';
import type { SessionStatus } from './domain/telegram.js';

/** What tests (and benchmarks) may replace; production passes nothing. */
export interface Wiring {
  /** Builds the Telegram user side (tests: a gateway over the simulated @LosslessRobot). */
  createGateway?(config: Config, logger: Logger, deps?: GatewayDeps): Promise<TelegramGateway>;
  /** Spotify's HTTP (tests route short links to the fake server). */
  fetch?: FetchLike;
  clock?: Clock;
  /** Bot API root override (tests: the fake Bot API server). */
  botApiRoot?: string;
  progressIntervalMs?: number;
  /** Builds the unconnected client of a /login (tests: a simulated one answering auth.*). */
  createLoginClient?: LoginFlowOptions['createClient'];
}

/** Everything a long-running command needs, wired once. */
export interface CoreRuntime {
  config: Config;
  store: DrizzleJobStore;
  gateway: SwitchableGateway;
  source: SpotifySource;
  service: JobService;
  pacer: Pacer;
  acquirer: LosslessAcquirer;
  /** Playlist watch on the same database, job service, pacer and events (serve runs its scheduler). */
  watches: WatchService;
  /** The external bot's peer per account (and another account its username now names, after a stop). */
  botPeers: DrizzleBotPeerStore;
  /** Connects the user session and resolves the external bot; throws when there is no session. */
  connectUserSession(): Promise<void>;
  /** Builds a fresh user session from the saved session file (after a /login) and swaps it in. */
  reloadUserSession(): Promise<void>;
  close(): Promise<void>;
}

/** Relative folders are taken from the working directory, once, so later chdirs change nothing. */
export function withAbsolutePaths(config: Config, cwd = process.cwd()): Config {
  return { ...config, dataDir: path.resolve(cwd, config.dataDir), downloadFolder: path.resolve(cwd, config.downloadFolder) };
}

const SETTINGS_KEY = 'settings.owner';
/** How long /status (and the health check) wait for the session's own status. */
const SESSION_STATUS_DEADLINE_MS = 2500;
/** A login step (connect, send the code, sign in) that Telegram does not answer in time says so. */
const LOGIN_STEP_DEADLINE_MS = 20_000;

/** What the Telegram side keeps in SQLite: the bot's peer (resolved once per account) and the account's FloodWait. */
export interface GatewayDeps {
  botPeers: BotPeerStore;
  flood: { until(): number; note(seconds: number): void };
}

/** The GramJS-backed gateway, loaded on first use (tests replace it through `wiring.createGateway`). */
async function defaultGateway(config: Config, logger: Logger, deps?: GatewayDeps): Promise<TelegramGateway> {
  const { createGatewayFromConfig } = await import('./telegram/gateway-from-config.js');
  return createGatewayFromConfig(config, logger, deps);
}

export interface OpenCoreOptions {
  /** Another database than the data folder's (doctor: ':memory:' when there is none yet, so it creates nothing). */
  databaseFile?: string;
  /** The command holding the account: running jobs record this process as their owner. */
  command?: LockCommand;
}

export async function openCore(rawConfig: Config, logger: Logger, wiring: Wiring = {}, options: OpenCoreOptions = {}): Promise<CoreRuntime> {
  const [{ openJobStore }, { databasePath }, { createJobService }, { createLibrary }, { createLosslessAcquirer, losslessTimeouts }, { createSpotifySource }, { SwitchableGateway }, { DrizzleTrackFactsCache }, { withTrackLists }, { DrizzleVerificationLedger }, { DrizzleWatchStore }, { WatchService }] =
    await Promise.all([
      import('./db/job-store.js'),
      import('./db/open.js'),
      import('./engine/create-job-service.js'),
      import('./library/create-library.js'),
      import('./lossless/create-acquirer.js'),
      import('./spotify/playlist-source.js'),
      import('./telegram/switchable-gateway.js'),
      import('./db/track-facts-store.js'),
      import('./tracklist/track-list-file.js'),
      import('./db/verification-ledger.js'),
      import('./db/watch-store.js'),
      import('./engine/watch-service.js'),
    ]);
  const [{ DrizzleBotPeerStore }, { persistedFloodUntil, recordFloodWait }] = await Promise.all([import('./db/bot-peer-store.js'), import('./engine/pacer.js')]);
  // Kept apart from the list above: first contact (/start once) is the lossless side's own record.
  const { settingFirstContactStore, FIRST_CONTACT_KEY } = await import('./lossless/first-contact.js');
  const stored = withAbsolutePaths(rawConfig);
  const clock = wiring.clock ?? systemClock;
  // Row timestamps on the engine's clock: resume decisions compare them with its time.
  const dbFile = options.databaseFile ?? databasePath(stored.dataDir);
  let opened: ReturnType<typeof openJobStore>;
  try {
    opened = openJobStore(dbFile, { now: () => clock.now() });
  } catch (err) {
    throw databaseError(err, dbFile);
  }
  const { store, db, close: closeDb } = opened;
  // Settings the owner changed from the phone outlive restarts.
  const config = applyOwnerSettings(stored, readOwnerSettings(store));
  const buildGateway = wiring.createGateway ?? defaultGateway;
  const botPeers = new DrizzleBotPeerStore(db.db);
  const gatewayDeps: GatewayDeps = {
    botPeers,
    // The pacer's own record: a FloodWait on ResolveUsername holds sends too, and outlives a restart.
    flood: { until: () => persistedFloodUntil(store), note: (seconds) => recordFloodWait(store, clock.now(), seconds) },
  };
  const gateway = new SwitchableGateway(await buildGateway(config, logger.child({ component: 'telegram' }), gatewayDeps));
  await rememberSessionSecret(config.dataDir, logger);
  const source = createSpotifySource(config, {
    logger,
    clock,
    ...(wiring.fetch ? { fetch: wiring.fetch } : {}),
    trackFacts: new DrizzleTrackFactsCache(db.db, () => clock.now()),
    isKnownTrack: (spotifyId) => store.findDoneTrack({ spotifyId, isrc: null }) !== null,
  });
  rememberSpotifySecrets(source, logger);
  let acquirer!: LosslessAcquirer;
  const library = createLibrary(config, {
    store,
    ledger: new DrizzleVerificationLedger(db.db, () => clock.now()),
    ...(wiring.fetch ? { fetch: wiring.fetch } : {}),
    logger: logger.child({ component: 'library' }),
  });
  const { service, pacer, events } = createJobService(config, {
    store,
    source: withTrackLists(source),
    acquirer: (p) => {
      acquirer = createLosslessAcquirer({
        gateway,
        pacer: p,
        mode: config.losslessMode,
        logger,
        timeouts: losslessTimeouts(config.responseTimeoutSeconds),
        // /start goes out once per account (this data folder), before its first request.
        firstContact: settingFirstContactStore(store, FIRST_CONTACT_KEY),
        unknownReplyLimit: config.unknownReplyLimit,
        clock,
      });
      return acquirer;
    },
    library,
    // /status and the health check ask this: a session that hangs reads as offline, not as a freeze.
    sessionStatus: () =>
      withDeadline(gateway.status(), SESSION_STATUS_DEADLINE_MS, () => ({
        state: 'offline' as const,
        user: null,
        detail: `Telegram unreachable: no answer within ${SESSION_STATUS_DEADLINE_MS / 1000} s`,
      })),
    logger,
    clock,
    // Jobs this process runs carry its identity: another process never adopts them while it lives.
    ...(options.command ? { process: jobOwnership(options.command, { holdsAccountLock: true }) } : {}),
  });

  const watchStore = new DrizzleWatchStore(db.db, store, () => clock.now());
  const watches = new WatchService({
    store: watchStore,
    editor: watchStore,
    jobStore: store,
    jobs: service,
    source,
    snapshots: { snapshot: (link, options) => source.snapshot(link, options) },
    library,
    pacer,
    events,
    clock,
    logger: logger.child({ component: 'watch' }),
    defaultEveryMs: config.watchDefaultEveryMs,
  });
  // An outage pauses the running job and a recovery resumes it; the owner hears each once.
  gateway.onConnectionChange((change) => service.telegramConnection(change));

  const connectUserSession = async () => {
    await gateway.connect();
    await gateway.resolveBot(config.telegram.externalBot);
  };

  return {
    config,
    store,
    gateway,
    source,
    service,
    pacer,
    acquirer,
    watches,
    botPeers,
    connectUserSession,
    async reloadUserSession() {
      await gateway.replace(await buildGateway(config, logger.child({ component: 'telegram' }), gatewayDeps));
      await rememberSessionSecret(config.dataDir, logger);
      await connectUserSession();
    },
    async close() {
      watches.stop();
      acquirer.close();
      await gateway.disconnect().catch((err: unknown) => logger.warn({ err }, 'closing the Telegram session failed'));
      closeDb();
    },
  };
}

function readOwnerSettings(store: DrizzleJobStore): Partial<CrateSettings> {
  const raw = store.getSetting(SETTINGS_KEY);
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Partial<CrateSettings>;
  } catch {
    return {};
  }
}

function applyOwnerSettings(config: Config, s: Partial<CrateSettings>): Config {
  return {
    ...config,
    ...(s.quality ? { quality: s.quality } : {}),
    ...(s.batchSize ? { batchSize: s.batchSize } : {}),
    ...(s.messageGapSeconds ? { messageGapSeconds: Math.max(MIN_MESSAGE_GAP_SECONDS, s.messageGapSeconds) } : {}),
  };
}

/** /settings: stored in SQLite, applied at once to the pacer and to new jobs. */
function ownerSettingsStore(core: CoreRuntime): SettingsStore {
  let current: CrateSettings = {
    quality: core.config.quality,
    messageGapSeconds: core.config.messageGapSeconds,
    batchSize: core.config.batchSize,
  };
  return {
    get: () => current,
    update(patch) {
      current = { ...current, ...patch };
      core.store.setSetting(SETTINGS_KEY, JSON.stringify(current));
      if (patch.messageGapSeconds !== undefined) core.pacer.setMessageGap(patch.messageGapSeconds);
      core.service.updateDefaults(patch);
      return current;
    },
  };
}

function progressMessages(core: CoreRuntime): ProgressMessageStore {
  return {
    get(jobId) {
      const job = core.store.getJob(jobId);
      return job?.progressChatId != null && job.progressMessageId != null
        ? { chatId: job.progressChatId, messageId: job.progressMessageId }
        : null;
    },
    set(jobId, ref) {
      core.store.updateJob(jobId, { progressChatId: ref.chatId, progressMessageId: ref.messageId });
    },
  };
}

/** The saved Telegram session (the account's auth key) is scrubbed from logs and replies like a configured secret. */
async function rememberSessionSecret(dataDir: string, logger: Logger): Promise<void> {
  const session = await readFile(sessionFilePath(dataDir), 'utf8').catch(() => null);
  addSecrets(logger, session?.trim());
}

/**
 * The stored Spotify login is a secret like the configured ones: scrubbed from logs and replies
 * from the start, and so is every token stored later (a /spotify login, a rotated refresh token).
 */
export function rememberSpotifySecrets(source: Pick<SpotifySource, 'tokenStore'>, logger: Logger): void {
  const store = source.tokenStore;
  try {
    addSecrets(logger, store.read()?.refreshToken);
  } catch {
    // An unreadable login file is reported where it is used (with what to do); nothing to scrub.
  }
  const write = store.write.bind(store);
  store.write = (login) => {
    addSecrets(logger, login.refreshToken);
    write(login);
  };
}

/** The bot's /spotify: one pending PKCE request at a time, kept in memory (it lives for minutes). */
function spotifyLogin(core: CoreRuntime, { startPkceLogin, completePkceLogin }: typeof import('./spotify/pkce-login.js')): SpotifyLogin {
  let pending: PkceLoginRequest | null = null;
  return {
    authorizeUrl() {
      pending = startPkceLogin(core.config);
      return pending.authorizeUrl;
    },
    async completeFromRedirect(url) {
      if (!pending) throw new UserError('No Spotify login is in progress.', 'Send /spotify first and open the new link.');
      await completePkceLogin(pending, url, {
        http: core.source.http,
        store: core.source.tokenStore,
        accountsUrl: core.config.spotify.accountsUrl,
        apiUrl: core.config.spotify.apiUrl,
      });
      pending = null;
    },
  };
}

/** The bot's /acceptbot, on the same table as `crate accept-bot`. */
export function botAccountControl(peers: DrizzleBotPeerStore): BotAccountControl {
  const view = (p: { username: string; userId: string }) => ({ username: p.username, id: p.userId });
  return {
    pending() {
      const row = peers.list().find((r) => r.pending !== null);
      return row?.pending ? { known: view(row.peer), pending: view(row.pending) } : null;
    },
    accept(id) {
      const [accepted] = peers.acceptPending(id);
      return accepted ? view(accepted.accepted) : null;
    },
  };
}

/** The bot's /login: GramJS login, then the new session replaces the old one in the running service. */
function telegramLogin(core: CoreRuntime, logger: Logger, wiring: Wiring): TelegramLoginFlow {
  // GramJS is loaded with the first /login, not at start (see gateway-from-config.ts).
  type Flow = InstanceType<(typeof import('./telegram/login.js'))['LoginFlow']>;
  let loaded: Promise<Flow> | null = null;
  const flow = (): Promise<Flow> =>
    (loaded ??= import('./telegram/login.js').then(
      ({ LoginFlow }) =>
        new LoginFlow({
          config: core.config,
          logger,
          requireSeparators: true,
          ...(wiring.createLoginClient ? { createClient: wiring.createLoginClient } : {}),
        }),
    ));
  const afterStep = async <T extends { next: string }>(step: (f: Flow) => Promise<T>): Promise<T> => {
    const result = await withDeadline(
      flow().then(step),
      LOGIN_STEP_DEADLINE_MS,
      () => {
        throw new UserError(
          `Telegram did not answer within ${LOGIN_STEP_DEADLINE_MS / 1000} s.`,
          'Check the network of the machine running Crate, then send /login again.',
        );
      },
    );
    if (result.next === 'done') {
      await core
        .reloadUserSession()
        .then(() => core.service.resumeInterrupted())
        .catch((err: unknown) => logger.warn({ err }, 'the new Telegram session did not connect yet'));
    }
    return result;
  };
  return {
    // Telegram may log in at the first step already (auth.SentCodeSuccess): reload then too.
    startLogin: (args) => afterStep((f) => f.startLogin(args)),
    submitCode: (text) => afterStep((f) => f.submitCode(text)),
    submitPassword: (pw) => afterStep((f) => f.submitPassword(pw)),
    // Nothing to drop before the first step loaded the flow.
    cancel: async () => (loaded ? (await loaded).cancel() : undefined),
  };
}

function doctorProbes(core: CoreRuntime): DoctorProbes {
  return {
    session: async () => {
      await core.gateway.connect().catch(() => undefined);
      return core.gateway.status();
    },
    resolveExternalBot: () => core.gateway.resolveBot(core.config.telegram.externalBot),
    spotify: async () => {
      const probe: SpotifyDoctorProbe = await core.source.probe();
      if (probe.app !== 'ok') return probe;
      // Tokens alone prove little (a wrong SPOTIFY_API_URL still hands them out): read one
      // catalogue album through the same code downloads use, and insist it came from the Web API.
      try {
        const listing = await core.source.load(DOCTOR_PROBE_ALBUM);
        const fromApi = listing.source.backend === 'catalog';
        probe.read = fromApi
          ? { ok: true, detail: `read the album "${listing.source.name}" (${listing.tracks.length} tracks) from ${new URL(core.config.spotify.apiUrl).host}` }
          : { ok: false, detail: `the album came from the ${listing.source.backend} fall-back, not the Web API at ${core.config.spotify.apiUrl}` };
      } catch (err) {
        probe.read = { ok: false, detail: err instanceof Error ? err.message : String(err) };
      }
      return probe;
    },
    firstContact: async () => {
      const { parseFirstContact, FIRST_CONTACT_KEY } = await import('./lossless/first-contact.js');
      const record = parseFirstContact(core.store.getSetting(FIRST_CONTACT_KEY));
      return record ? { sentAt: record.at, answer: record.answer, answerKind: record.answerKind } : null;
    },
  };
}

/** A catalogue album any app token may read (Daft Punk, "Discovery", 2001), for doctor's Spotify line. */
export const DOCTOR_PROBE_ALBUM = 'spotify:album:2noRn2Aes5aoNVsU6iWThc';

/** Takes the account for `command` (a UserError naming the holder, exit 2, when another process has it). */
function lockAccount(config: Config, command: LockCommand): AccountLock {
  return acquireAccountLock(withAbsolutePaths(config).dataDir, command);
}

/**
 * What a running serve (or download) last recorded about the session, for commands run beside
 * it: they never open a second connection on the account.
 */
async function sessionSeenByHolder(config: Config): Promise<SessionStatus | null> {
  const dataDir = withAbsolutePaths(config).dataDir;
  const holder = currentLockHolder(dataDir);
  if (!holder) return null;
  const who = describeHolder(holder);
  const [{ openJobStore }, { databasePath }] = await Promise.all([import('./db/job-store.js'), import('./db/open.js')]);
  const { store, close } = openJobStore(databasePath(dataDir));
  try {
    const snapshot = parseSnapshot(store.getSetting(SERVE_HEALTH_KEY));
    if (snapshot && snapshot.pid === holder.pid && Date.now() - Date.parse(snapshot.at) < RECORDED_HEALTH_MAX_AGE_MS) {
      return recordedSessionStatus(snapshot, who);
    }
    return { state: 'offline', user: null, detail: `not checked: ${who} is using the account` };
  } finally {
    close();
  }
}

/**
 * The core with the user session connected (commands that send to the external bot), holding the
 * account for `command`: its close() releases the lock.
 */
async function connectedCore(config: Config, logger: Logger, wiring: Wiring, command: LockCommand): Promise<CoreRuntime> {
  requireSettings(config, ['telegramUser']);
  // Before anything touches Telegram or the database: one process per account.
  const lock = lockAccount(config, command);
  let opened: CoreRuntime;
  try {
    opened = await openCore(config, logger, wiring, { command });
  } catch (err) {
    lock.release();
    throw err;
  }
  const core: CoreRuntime = {
    ...opened,
    close: async () => {
      try {
        await opened.close();
      } finally {
        lock.release();
      }
    },
  };
  try {
    const status = await core.gateway.status();
    if (status.state === 'no_session') {
      throw new UserError(
        `The Telegram user session is not set up: ${status.detail ?? 'not logged in'}.`,
        'Run `crate login` (or /login in the control bot) first.',
      );
    }
    await core.connectUserSession();
  } catch (err) {
    await core.close();
    throw err;
  }
  return core;
}

async function downloadRuntime(config: Config, logger: Logger, wiring: Wiring): Promise<DownloadRuntime> {
  const core = await connectedCore(config, logger, wiring, 'download');
  return {
    service: core.service,
    tracks: (jobId) => core.store.tracks(jobId),
    pacer: core.pacer,
    close: async () => {
      try {
        await core.service.shutdown();
      } finally {
        await core.close();
      }
    },
  };
}

/** `crate watch`: the watches on the product's engine; the user session only when a command downloads. */
async function watchRuntime(config: Config, logger: Logger, wiring: Wiring, session: boolean): Promise<WatchRuntime> {
  const core = session ? await connectedCore(config, logger, wiring, 'watch') : await openCore(config, logger, wiring);
  return {
    watches: core.watches,
    service: core.service,
    tracks: (jobId) => core.store.tracks(jobId),
    pacer: core.pacer,
    close: async () => {
      if (session) await core.service.shutdown();
      await core.close();
    },
  };
}

/** `crate probe` and `/probe`: one exchange on the product's gateway and pacer, never beside a running job. */
async function proberOf(core: CoreRuntime, logger: Logger, wiring: Wiring) {
  const [{ createProber }, { settingFirstContactStore, FIRST_CONTACT_KEY }] = await Promise.all([
    import('./lossless/exchange/prober.js'),
    import('./lossless/first-contact.js'),
  ]);
  return createProber({
    source: core.source,
    gateway: core.gateway,
    pacer: core.pacer,
    clock: wiring.clock ?? systemClock,
    mode: core.config.losslessMode,
    quality: core.config.quality,
    responseTimeoutSeconds: core.config.responseTimeoutSeconds,
    logger,
    firstContact: settingFirstContactStore(core.store, FIRST_CONTACT_KEY),
    busy: () => {
      const running = core.store.listJobs().find((j) => j.status === 'running');
      return running ? `job ${running.id} is running` : null;
    },
  });
}

async function probeRuntime(config: Config, logger: Logger, wiring: Wiring): Promise<ProbeRuntime> {
  requireSettings(config, ['telegramUser']);
  // A probe talks to Telegram like a download: never beside a running serve or download.
  const lock = lockAccount(config, 'probe');
  let core: CoreRuntime;
  try {
    core = await openCore(config, logger, wiring);
  } catch (err) {
    lock.release();
    throw err;
  }
  const close = async () => {
    try {
      await core.close();
    } finally {
      lock.release();
    }
  };
  try {
    const status = await core.gateway.status();
    if (status.state === 'no_session') {
      throw new UserError(`The Telegram user session is not set up: ${status.detail ?? 'not logged in'}.`, 'Run `crate login` (or /login in the control bot) first.');
    }
    await core.connectUserSession();
    const prober = await proberOf(core, logger, wiring);
    return { maxSeconds: prober.maxSeconds, probe: (query, options) => prober.probe(query, options), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The control bot's /probe, loaded with its first use (the exchange recorder is not needed to start). */
function botProbe(core: CoreRuntime, logger: Logger, wiring: Wiring): ExchangeProbe {
  let loaded: Promise<ExchangeProbe> | null = null;
  const load = (): Promise<ExchangeProbe> =>
    (loaded ??= Promise.all([proberOf(core, logger, wiring), import('./lossless/exchange/prober.js')]).then(([prober, { probeForChat }]) => probeForChat(prober)));
  return {
    // The prober's own limit (see createProber): two reply timeouts.
    maxSeconds: core.config.responseTimeoutSeconds * 2,
    probe: async (query, options) => (await load()).probe(query, options),
  };
}

async function serveRuntime(config: Config, logger: Logger, wiring: Wiring): Promise<ServeRuntime> {
  const lock = lockAccount(config, 'serve');
  let core: CoreRuntime;
  try {
    core = await openCore(config, logger, wiring, { command: 'serve' });
  } catch (err) {
    lock.release();
    throw err;
  }
  const pkceModule = await import('./spotify/pkce-login.js');
  return {
    prober: botProbe(core, logger, wiring),
    botAccount: botAccountControl(core.botPeers),
    // The bot's handlers wait for the engine with deadlines (see bounded-service.ts).
    service: boundedService(core.service),
    // `code` is the login code here (elsewhere an errno code): redacted in this logger only.
    login: telegramLogin(core, loginFlowLogger(logger), wiring),
    spotify: spotifyLogin(core, pkceModule),
    settings: ownerSettingsStore(core),
    progressStore: progressMessages(core),
    probes: doctorProbes(core),
    watches: core.watches,
    health: {
      sessionStatus: () => core.service.status().then((st) => st.session),
      pacer: () => core.pacer.state(),
      record: (snapshot) => core.store.setSetting(SERVE_HEALTH_KEY, JSON.stringify(snapshot)),
    },
    startUserSession: async () => {
      await core.connectUserSession();
      // Jobs cut short by a crash or a shutdown go on by themselves once the account is reachable.
      const resumed = core.service.resumeInterrupted();
      if (resumed.length > 0) logger.info({ jobs: resumed }, 'resuming interrupted jobs');
    },
    close: async () => {
      try {
        await core.close();
      } finally {
        lock.release();
      }
    },
  };
}

/** What can be told about the user session without connecting: is one saved at all? */
function savedSessionStatus(config: Config): SessionView {
  if (config.telegram.apiId === undefined || config.telegram.apiHash === undefined) {
    return { state: 'no_session', user: null, detail: 'TELEGRAM_API_ID and TELEGRAM_API_HASH are not set' };
  }
  if (!existsSync(sessionFilePath(config.dataDir))) return { state: 'no_session', user: null, detail: 'not logged in: run `crate login`' };
  return { state: 'saved', user: null, detail: 'not connected by `crate status`; `crate doctor` checks it' };
}

/** Every `crate` command, wired. */
export function createCommands(wiring: Wiring = {}): RegisterCommand[] {
  const spotifyDeps = { ...(wiring.fetch ? { fetch: wiring.fetch } : {}), ...(wiring.clock ? { clock: wiring.clock } : {}) };
  return [
    createServeCommand({
      createRuntime: ({ config, logger }) => serveRuntime(config, logger, wiring),
      ...(wiring.botApiRoot ? { apiRoot: wiring.botApiRoot } : {}),
      ...(wiring.progressIntervalMs ? { progressIntervalMs: wiring.progressIntervalMs } : {}),
    }),
    createDownloadCommand({
      ...spotifyDeps,
      createDownloadRuntime: ({ config, logger }) => downloadRuntime(config, logger, wiring),
    }),
    createMissingCommand(spotifyDeps),
    createStatusCommand({
      // Status never connects (GramJS stays unloaded; `crate doctor` and /status in the bot connect):
      // it says whether a session is saved. Tests that hand in a gateway get its own status.
      // Status connects with a short deadline: "logged in as @name" when Telegram answers, and
      // "not checked" (never a false "offline") when it does not answer in time.
      sessionStatus: async (config, logger) => {
        // Beside a running serve or download: what it recorded, never a second connection.
        const seen = await sessionSeenByHolder(config);
        // Nothing recent recorded by the holder: "not checked", never a false "offline".
        if (seen) return seen.state === 'offline' && seen.detail?.startsWith('not checked') ? { state: 'saved', user: null, detail: seen.detail } : seen;
        const saved = savedSessionStatus(withAbsolutePaths(config));
        if (saved.state === 'no_session' && !wiring.createGateway) return saved;
        // Status only asks who is logged in: it never resolves the bot, so no peer store.
        const gateway = await (wiring.createGateway ?? defaultGateway)(withAbsolutePaths(config), logger);
        try {
          const status = await gateway.status();
          if (status.state !== 'offline') return status;
          return { state: 'saved', user: null, detail: `not checked: ${status.detail ?? 'Telegram did not answer'}` };
        } finally {
          await gateway.disconnect().catch(() => undefined);
        }
      },
    }),
    registerReport,
    registerReset,
    registerAcceptBot,
    registerLogin,
    registerSpotifyLogin,
    createDoctorCommand({
      // Doctor only looks: with no database yet it works on an in-memory one; with a data folder it
      // cannot use, the folder lines say why and the probes that need it are left out.
      probes: async (config, logger) => {
        const [{ databasePath }, { existingDatabase }] = await Promise.all([import('./db/open.js'), import('./cli/job-store-access.js')]);
        let core: CoreRuntime;
        try {
          const databaseFile = existingDatabase(withAbsolutePaths(config).dataDir, databasePath) ?? ':memory:';
          core = await openCore(config, logger, wiring, { databaseFile });
        } catch (err) {
          if (!(err instanceof UserError)) throw err;
          return { unavailable: `not checked: ${err.message}` };
        }
        const seen = await sessionSeenByHolder(config).catch(async (err: unknown) => {
          await core.close();
          throw err;
        });
        if (seen) {
          // serve (or a download) has the account: read what it recorded, leave Telegram alone.
          const probes = doctorProbes(core);
          delete probes.resolveExternalBot;
          return {
            ...probes,
            session: async () => seen,
            unavailable: `not checked: ${seen.detail?.includes('crate ') ? 'another Crate process is using the account' : 'the account is in use'}`,
            close: core.close,
          };
        }
        // The session check holds the account like any other user of it. Doctor creates nothing,
        // though: with no data folder yet (or one it may not write) there is nothing to hold, as
        // no other Crate process can be using the account from there.
        let lock: AccountLock | null = null;
        try {
          if (existsSync(withAbsolutePaths(config).dataDir)) lock = lockAccount(config, 'doctor');
        } catch (err) {
          if (err instanceof UserError || !isFolderRefusal(err)) {
            await core.close();
            throw err;
          }
        }
        return {
          ...doctorProbes(core),
          close: async () => {
            try {
              await core.close();
            } finally {
              lock?.release();
            }
          },
        };
      },
    }),
    createProbeCommand({ createProbeRuntime: (config, logger) => probeRuntime(config, logger, wiring) }),
    registerHealth,
    registerDebugMatch,
    registerDebugExchange,
    createVerifyCommand(),
    createWatchCommand({ createWatchRuntime: ({ config, logger, session }) => watchRuntime(config, logger, wiring, session) }),
  ];
}

/** The file system said no to a folder (permissions, read-only): doctor's folder lines say so already. */
function isFolderRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}
