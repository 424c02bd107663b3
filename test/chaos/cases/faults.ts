/**
 * Issue 7, item 2: injected faults on the whole stack (engine, Lossless protocol, gateway,
 * downloader, library, SQLite) in front of the simulated @LosslessRobot. Each case proves: nothing
 * lost, nothing misnamed, and the owner told in plain words (quoted in the case's detail line).
 * Shared by test/chaos/faults.test.ts (CI) and test/chaos/faults.ts (`npm run chaos`).
 */
import { parseConfig } from '../../../src/config.js';
import { floodWaitView, sessionExpiredView } from '../../../src/bot/notifications.js';
import type { TelegramGateway } from '../../../src/domain/telegram.js';
import type { JobEvent, Library } from '../../../src/engine/ports.js';
import { errorText } from '../../../src/bot/errors.js';
import { createSpotifySource } from '../../../src/spotify/playlist-source.js';
import { silentLogger } from '../../../src/logger.js';
import type { SimulatedLosslessBot, SimTrack } from '../../fakes/simulated-lossless/core.js';
import { fakeId, makeTracks, openUrl, startFakeSpotify } from '../../fakes/fake-spotify-server.js';
import { actionsBetween, check, expectClean } from './checks.js';
import { GatewayProxy, catalogue, createStack, type Stack, type StackOptions } from './stack.js';
import type { VirtualClock } from './virtual-clock.js';

export interface CaseOutcome {
  /** One line for the owner-facing evidence: what the owner was told, in quotes. */
  detail: string;
  /** What the simulated bot saw, for the pacing proof. */
  pacing?: { actions: ReturnType<SimulatedLosslessBot['actions']>; floods: { at: number; seconds: number }[]; gapMs: number }[];
}

export interface ChaosCase {
  name: string;
  run(): Promise<CaseOutcome>;
}

const FOLDER = 'Chaos Set';

function pacingOf(bot: SimulatedLosslessBot, floods: { at: number; seconds: number }[] = []) {
  return [{ actions: bot.actions(), floods, gapMs: 3000 }];
}

function waitEvents(events: JobEvent[]) {
  return events.filter((e): e is Extract<JobEvent, { type: 'pacer_waiting' }> => e.type === 'pacer_waiting');
}

/** Makes the bot answer the n-th message we send with a FloodWait of `seconds`. */
class FloodOnSend extends GatewayProxy {
  private sends = 0;
  readonly floods: { at: number; seconds: number }[] = [];
  constructor(
    inner: TelegramGateway,
    private readonly bot: SimulatedLosslessBot,
    private readonly clock: VirtualClock,
    private readonly nth: number,
    private readonly seconds: number,
    private readonly onFlood?: () => void,
  ) {
    super(inner);
  }
  override sendText(text: string) {
    if (++this.sends === this.nth) {
      this.bot.floodOnNext(this.seconds);
      this.floods.push({ at: this.clock.now(), seconds: this.seconds });
      this.onFlood?.();
    }
    return this.inner.sendText(text);
  }
}

async function withStack<T>(options: StackOptions, fn: (s: Stack) => Promise<T>): Promise<T> {
  const s = createStack(options);
  try {
    return await fn(s);
  } finally {
    s.close();
    s.dispose();
  }
}

const floodShort: ChaosCase = {
  name: 'FloodWait 30 s',
  run: async () => {
    let flood!: FloodOnSend;
    return withStack({ tracks: catalogue(6), wrap: (g, bot, clock) => (flood = new FloodOnSend(g, bot, clock, 3, 30)) }, async (s) => {
      const job = await s.download();
      check(job.status === 'done', `job ${job.status}: ${job.pauseReason}`);
      await expectClean(s.music, s.tracks(job.id), s.bot, { folder: FOLDER });
      const f = flood.floods[0]!;
      const during = actionsBetween(s.bot, f.at, f.at + 30_000);
      check(during.length === 0, `${during.length} actions reached the bot during the 30 s FloodWait`);
      const wait = waitEvents(s.events)[0];
      check(wait && wait.seconds >= 20 && wait.seconds <= 32, `no pacer_waiting event for the FloodWait (${JSON.stringify(wait)})`);
      check(job.pauseReason === null, 'a short FloodWait must not leave a note on the job');
      return { detail: `all 6 done; 0 actions in the wait; told "waiting ${wait.seconds} s: ${wait.reason}"`, pacing: pacingOf(s.bot, flood.floods) };
    });
  },
};

const floodLong: ChaosCase = {
  name: 'FloodWait 2 h (with a restart in the middle)',
  run: async () => {
    const tracks = catalogue(6);
    let flood!: FloodOnSend;
    let noteDuringWait: string | null = null;
    let describeDuringWait = '';
    const stop = new AbortController();
    const a = createStack({
      tracks,
      wrap: (g, bot, clock) =>
        (flood = new FloodOnSend(g, bot, clock, 3, 7200, () => {
          // Ten minutes into the wait: what does the owner see? Then the process dies.
          void clock.sleep(600_000).then(() => {
            const job = a.store.listJobs()[0]!;
            noteDuringWait = a.store.getJob(job.id)!.pauseReason;
            describeDuringWait = a.pacer.state().describe;
            stop.abort();
          });
        })),
    });
    let b: Stack | null = null;
    try {
      const first = await a.download({ signal: stop.signal });
      check(first.status === 'paused', `the interrupted run should be paused, is ${first.status}`);
      const f = flood.floods[0]!;
      check(
        noteDuringWait !== null && /wait 2 h.*nothing is sent to the bot before \d\d:\d\d UTC; the job goes on by itself then/.test(noteDuringWait),
        `the job did not say when it goes on: ${noteDuringWait}`,
      );
      check(/^waiting 1 h 5\d min: Telegram flood limit$/.test(describeDuringWait), `pacer state: ${describeDuringWait}`);
      const wait = waitEvents(a.events).find((e) => e.seconds >= 7000);
      check(wait?.until !== undefined, 'no pacer_waiting event with the end of the wait');
      const phone = floodWaitView(wait.seconds, wait.reason, wait.until).text;
      check(/wait (2 h|1 h 5\d min).*continue by themselves at about \d\d:\d\d UTC/.test(phone), `bot notice: ${phone}`);
      a.close({ keepBot: true });

      // A new process: the FloodWait is persisted, so nothing goes before it ends.
      b = createStack({ tracks, dir: a.dir, clock: a.clock, bot: a.bot });
      check((b.pacer.state().floodUntil ?? 0) >= f.at + 7_200_000, `the FloodWait was not persisted across the restart (${b.pacer.state().floodUntil} vs ${f.at}, ${b.store.getSetting("pacer.floodUntil")}, now ${b.clock.now()})`);
      const done = await b.download();
      check(done.status === 'done', `after the restart the job is ${done.status}: ${done.pauseReason}`);
      check(done.pauseReason === null, 'the wait note was not cleared');
      const during = actionsBetween(b.bot, f.at, f.at + 7_200_000);
      check(during.length === 0, `${during.length} actions reached the bot during the 2 h FloodWait`);
      await expectClean(b.music, b.tracks(done.id), b.bot, { folder: FOLDER });
      return { detail: `0 actions in 2 h across a restart, all 6 done; job said "${noteDuringWait}"`, pacing: pacingOf(b.bot, flood.floods) };
    } finally {
      a.close();
      b?.close();
      a.dispose();
    }
  },
};

const botSilent: ChaosCase = {
  name: 'bot silent for one track',
  run: () =>
    withStack({ tracks: catalogue(4, (i) => (i === 1 ? { silent: true } : {})) }, async (s) => {
      const job = await s.download();
      check(job.status === 'done', `job ${job.status}`);
      await expectClean(s.music, s.tracks(job.id), s.bot, { folder: FOLDER, notDone: [2] });
      const t = s.tracks(job.id)[1]!;
      check(t.state === 'failed' && t.attempts === s.config.maxRetries + 1, `silent track: ${t.state} after ${t.attempts} attempts`);
      check(t.lastError !== null && /no (reply|answer) from the bot within/.test(t.lastError), `lastError: ${t.lastError}`);
      return { detail: `3 done, the silent one failed after ${t.attempts} attempts: "${t.lastError}"`, pacing: pacingOf(s.bot) };
    }),
};

const outOfOrder: ChaosCase = {
  name: 'files out of order',
  run: () =>
    withStack(
      { tracks: catalogue(5, (i) => ({ fileDelayMs: 60_000 - i * 13_000 })), env: { BATCH_SIZE: '5' } },
      async (s) => {
        const job = await s.download();
        check(job.status === 'done', `job ${job.status}`);
        const order = s.bot.deliveries().map((d) => d.trackId);
        check(order.join() !== 't1,t2,t3,t4,t5', `files came in request order (${order.join()}), the case proves nothing`);
        const n = await expectClean(s.music, s.tracks(job.id), s.bot, { folder: FOLDER });
        return { detail: `files arrived ${order.join(' ')}; all ${n} stored under their own names`, pacing: pacingOf(s.bot) };
      },
    ),
};

/** On the n-th message we send, the bot also sends files nobody asked for. */
class Unsolicited extends GatewayProxy {
  private sends = 0;
  constructor(
    inner: TelegramGateway,
    private readonly bot: SimulatedLosslessBot,
  ) {
    super(inner);
  }
  override sendText(text: string) {
    this.sends++;
    if (this.sends === 2) this.bot.sendUnsolicitedFile({ artist: 'Chaos Artist A2', title: 'Chaos Title T2 (Karaoke Version)', durationSec: 141 }, 500);
    if (this.sends === 4) this.bot.sendUnsolicitedFile({ artist: 'Somebody Else', title: 'Stale Request', durationSec: 200 }, 100);
    // Track 1's file again, long after track 1 was stored (a duplicate answer).
    if (this.sends === 5) this.bot.sendFileFor('t1', 200);
    return this.inner.sendText(text);
  }
}

const noPendingRequest: ChaosCase = {
  name: 'files for no pending request',
  run: () =>
    withStack({ tracks: catalogue(5), env: { BATCH_SIZE: '2' }, wrap: (g, bot) => new Unsolicited(g, bot) }, async (s) => {
      const job = await s.download();
      check(job.status === 'done', `job ${job.status}`);
      const extra = s.bot.deliveries().filter((d) => d.kind === 'unsolicited' || (d.trackId === 't1' && d.requestMessageId === null));
      check(extra.length === 3, `expected 3 stray files, the bot sent ${extra.length}`);
      const n = await expectClean(s.music, s.tracks(job.id), s.bot, { folder: FOLDER });
      const ignored = s.logs.filter((l) => l.includes('document fits no pending request; not taken')).length;
      check(ignored >= 2, `stray files were not reported in the log (${ignored})`);
      return { detail: `3 stray files, ${n} files in the library (one per track); log: "document fits no pending request; not taken" ×${ignored}`, pacing: pacingOf(s.bot) };
    }),
};

const wrongFile: ChaosCase = {
  name: 'a wrong file',
  run: () =>
    withStack({ tracks: catalogue(4, (i) => (i === 2 ? { wrongFile: true } : {})) }, async (s) => {
      const job = await s.download();
      check(job.status === 'done', `job ${job.status}`);
      await expectClean(s.music, s.tracks(job.id), s.bot, { folder: FOLDER, notDone: [3] });
      const t = s.tracks(job.id)[2]!;
      check(t.state === 'mismatch', `wrong-file track is ${t.state}`);
      check(t.lastError !== null && /karaoke|Ameritz|title|artist|length|duration/i.test(t.lastError), `lastError: ${t.lastError}`);
      return { detail: `3 done, the wrong one is a mismatch, nothing stored under its name: "${t.lastError}"`, pacing: pacingOf(s.bot) };
    }),
};

/** The document's file reference expires after the first part of every download. */
class ExpireMidDownload extends GatewayProxy {
  constructor(
    inner: TelegramGateway,
    private readonly stack: () => Stack,
  ) {
    super(inner);
  }
  override async downloadDocument(messageId: number, targetPath: string, o: Parameters<TelegramGateway['downloadDocument']>[2] = {}) {
    const [message] = await this.inner.getMessages([messageId]);
    const documentId = message?.document?.id;
    let expired = false;
    return this.inner.downloadDocument(messageId, targetPath, {
      ...o,
      onProgress: (p) => {
        if (!expired && documentId) {
          expired = true;
          this.stack().link!.expireFileReference(documentId);
        }
        o.onProgress?.(p);
      },
    });
  }
}

const fileReferenceExpired: ChaosCase = {
  name: 'FILE_REFERENCE_EXPIRED mid-download',
  run: async () => {
    const s: Stack = createStack({
      transport: 'gramjs',
      tracks: catalogue(3, () => ({ bytes: 6 * 1024 * 1024 + 12_345 })),
      wrap: (g) => new ExpireMidDownload(g, () => s),
    });
    try {
      const job = await s.download();
      check(job.status === 'done', `job ${job.status}`);
      const expired = s.link!.requests.filter((r) => r.error === 'FILE_REFERENCE_EXPIRED').length;
      check(expired >= 3, `only ${expired} GetFile calls met an expired reference`);
      const refetched = s.link!.requests.filter((r) => r.className === 'messages.GetMessages').length;
      const n = await expectClean(s.music, s.tracks(job.id), s.bot, { folder: FOLDER });
      return { detail: `${expired} parts met an expired reference, ${refetched} message re-reads, ${n} files byte-identical; nothing asked twice (${s.bot.actions().filter((a) => a.kind === 'send').length} messages)`, pacing: pacingOf(s.bot) };
    } finally {
      s.close();
      s.dispose();
    }
  },
};

const dcMigration: ChaosCase = {
  name: 'DC migration (FILE_MIGRATE_4)',
  run: () =>
    withStack({ transport: 'gramjs', gramjs: { migrateDc: 4 }, tracks: catalogue(3, () => ({ bytes: 3 * 1024 * 1024 })) }, async (s) => {
      const job = await s.download();
      check(job.status === 'done', `job ${job.status}`);
      const migrated = s.link!.requests.filter((r) => r.error === 'FILE_MIGRATE_4').length;
      const onDc4 = s.link!.requests.filter((r) => r.className === 'upload.GetFile' && r.dcId === 4 && !r.error).length;
      check(migrated >= 1 && onDc4 >= 9, `migrations ${migrated}, parts from DC 4: ${onDc4}`);
      const n = await expectClean(s.music, s.tracks(job.id), s.bot, { folder: FOLDER });
      return { detail: `${migrated} FILE_MIGRATE_4 answers, ${onDc4} parts fetched from DC 4, ${n} files byte-identical`, pacing: pacingOf(s.bot) };
    }),
};

const droppedConnection: ChaosCase = {
  name: 'dropped connection mid-job',
  run: async () => {
    const s: Stack = createStack({ transport: 'gramjs', tracks: catalogue(5, () => ({ bytes: 4 * 1024 * 1024 })) });
    try {
      const link = s.link!;
      let sendDrops = 0;
      let fileDrops = 0;
      // The connection drops before the 3rd message goes out, and in the middle of the 2nd download.
      let sends = 0;
      link.handle('messages.SendMessage', () => {
        if (++sends === 3) {
          sendDrops++;
          throw new Error('Not connected');
        }
        return undefined;
      });
      let parts = 0;
      link.handle('upload.GetFile', () => {
        if (++parts === 7) {
          fileDrops++;
          throw new Error('Not connected');
        }
        return undefined;
      });
      const job = await s.download();
      check(job.status === 'done', `job ${job.status}: ${job.pauseReason}`);
      check(sendDrops === 1 && fileDrops === 1, `drops injected: send ${sendDrops}, file ${fileDrops}`);
      const n = await expectClean(s.music, s.tracks(job.id), s.bot, { folder: FOLDER });
      const retried = s.logs.filter((l) => l.includes('track will be retried')).map((l) => (JSON.parse(l) as { reason: string }).reason);
      check(retried.length >= 2, `expected the two hit tracks to be retried, log has ${retried.length}`);
      return { detail: `2 drops, both tracks retried, ${n}/5 stored; log: "track will be retried" (${retried[0]})`, pacing: pacingOf(s.bot) };
    } finally {
      s.close();
      s.dispose();
    }
  },
};

const sessionRevoked: ChaosCase = {
  name: 'session revoked mid-job',
  run: async () => {
    const tracks = catalogue(5);
    const a = createStack({ transport: 'gramjs', tracks, env: { BATCH_SIZE: '2' } });
    let b: Stack | null = null;
    try {
      let sends = 0;
      a.link!.handle('messages.SendMessage', () => {
        if (++sends === 3) a.link!.revoke('SESSION_REVOKED');
        return undefined;
      });
      const paused = await a.download();
      check(paused.status === 'paused', `job ${paused.status}`);
      check(paused.pauseReason !== null && /log in again/.test(paused.pauseReason), `pause reason: ${paused.pauseReason}`);
      const expired = a.events.find((e) => e.type === 'session_expired');
      check(expired !== undefined, 'no session_expired event');
      const phone = sessionExpiredView(expired as { code?: string; notLoggedIn?: boolean }).text;
      check(/send \/login/.test(phone), `bot notice: ${phone}`);
      const finals = a.tracks(paused.id).filter((t) => ['failed', 'not_found', 'mismatch'].includes(t.state));
      check(finals.length === 0, `tracks given up because of the revoked session: ${finals.map((t) => t.position).join(', ')}`);
      a.close({ keepBot: true });
      // The owner logs in again (a new session), the job resumes and completes.
      b = createStack({ transport: 'gramjs', tracks, env: { BATCH_SIZE: '2' }, dir: a.dir, clock: a.clock, bot: a.bot });
      const done = await b.download();
      check(done.status === 'done', `after logging in again: ${done.status} ${done.pauseReason}`);
      const n = await expectClean(b.music, b.tracks(done.id), b.bot, { folder: FOLDER });
      return { detail: `paused, ${n}/5 after logging in again; job said "${paused.pauseReason}"`, pacing: pacingOf(b.bot) };
    } finally {
      a.close();
      b?.close();
      a.dispose();
    }
  },
};

const spotifyRateLimit: ChaosCase = {
  name: 'Spotify 429 with Retry-After 2 h',
  run: async () => {
    const id = fakeId('pl:chaos-429');
    const fake = await startFakeSpotify({ playlists: [{ id, name: 'Rate Limited', ownerId: 'someone', rows: makeTracks(5, { prefix: 'RL' }) }] });
    try {
      fake.rateLimitNext({ retryAfterSeconds: 7200, times: 10, pathPrefix: '/' });
      const config = parseConfig({ ...fake.env({ withApp: false }), CRATE_DATA_DIR: '/nonexistent-crate-data' });
      const source = createSpotifySource(config, { logger: silentLogger() });
      const started = Date.now();
      let message = '';
      try {
        await source.load(openUrl('playlist', id));
      } catch (err) {
        message = errorText(err, []);
      }
      check(Date.now() - started < 5_000, 'Crate sat out a 2 h Retry-After instead of saying so');
      check(/asks to wait 2 h; try again in about 2 h \(after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/.test(message), `message: ${message}`);
      check(!/\n\s+at /.test(message), 'stack trace in the message');
      return { detail: `told at once: "${message.split('\n')[0]}"` };
    } finally {
      await fake.close();
    }
  },
};

/** The library's disk: the n-th download hits ENOSPC after its first part is written. */
class DiskFull extends GatewayProxy {
  private downloads = 0;
  full = true;
  override downloadDocument(messageId: number, targetPath: string, o: Parameters<TelegramGateway['downloadDocument']>[2] = {}) {
    const hit = this.full && ++this.downloads === 3;
    return this.inner.downloadDocument(messageId, targetPath, {
      ...o,
      onProgress: (p) => {
        if (hit && p.receivedBytes < p.totalBytes) {
          throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC', errno: -28, syscall: 'write', path: `${targetPath}.part` });
        }
        o.onProgress?.(p);
      },
    });
  }
}

const diskFull: ChaosCase = {
  name: 'disk full while writing (injected ENOSPC)',
  run: async () => {
    const tracks = catalogue(5, () => ({ bytes: 600_000 }));
    const a = createStack({ tracks, env: { BATCH_SIZE: '1' }, gateway: { partSize: 100_000 }, wrap: (g) => new DiskFull(g) });
    let b: Stack | null = null;
    try {
      const paused = await a.download();
      check(paused.status === 'paused', `job ${paused.status}`);
      check(paused.pauseReason !== null && /disk is full.*Free some space, then resume/.test(paused.pauseReason), `reason: ${paused.pauseReason}`);
      const sent = a.bot.actions().filter((x) => x.kind === 'send').length;
      check(sent === 3, `${sent} messages went to the bot; the job should stop at the first full-disk error`);
      const t3 = a.tracks(paused.id)[2]!;
      check(t3.state === 'downloading' && t3.fileMessageId !== null, `the track being written is ${t3.state}`);
      a.close({ keepBot: true });
      b = createStack({ tracks, env: { BATCH_SIZE: '1' }, gateway: { partSize: 100_000 }, dir: a.dir, clock: a.clock, bot: a.bot });
      const done = await b.download();
      check(done.status === 'done', `after freeing space: ${done.status}`);
      const sentTotal = b.bot.actions().filter((x) => x.kind === 'send').length;
      check(sentTotal === 5, `${sentTotal} messages for 5 tracks: the interrupted track was asked for again`);
      const n = await expectClean(b.music, b.tracks(done.id), b.bot, { folder: FOLDER });
      return { detail: `paused after 3 messages, ${n}/5 after resuming, none asked twice; job said "${paused.pauseReason}"`, pacing: pacingOf(b.bot) };
    } finally {
      a.close();
      b?.close();
      a.dispose();
    }
  },
};

/** The download folder cannot be written (EROFS at the first mkdir), until `fixed`. */
function readOnlyLibrary(library: Library, state: { fixed: boolean }): Library {
  return new Proxy(library, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'downloadPath' && typeof value === 'function') {
        return async (...args: unknown[]) => {
          if (!state.fixed) {
            throw Object.assign(new Error('EROFS: read-only file system, mkdir'), { code: 'EROFS', errno: -30, syscall: 'mkdir', path: '/music/.crate-partial/job-1' });
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const readOnlyFolder: ChaosCase = {
  name: 'read-only download folder (injected EROFS)',
  run: async () => {
    const tracks = catalogue(4);
    const state = { fixed: false };
    const a = createStack({ tracks, wrapLibrary: (l) => readOnlyLibrary(l, state) });
    let b: Stack | null = null;
    try {
      const paused = await a.download();
      check(paused.status === 'paused', `job ${paused.status}`);
      check(paused.pauseReason !== null && /cannot write to .*read-only.*then resume the job/.test(paused.pauseReason), `reason: ${paused.pauseReason}`);
      check(a.bot.actions().length === 0, `${a.bot.actions().length} actions reached the bot before the folder was known to be unwritable`);
      check(a.tracks(paused.id).every((t) => t.state === 'queued' && t.attempts === 0), 'tracks were given up or charged an attempt');
      a.close({ keepBot: true });
      state.fixed = true;
      b = createStack({ tracks, dir: a.dir, clock: a.clock, bot: a.bot });
      const done = await b.download();
      check(done.status === 'done', `after fixing the folder: ${done.status}`);
      const n = await expectClean(b.music, b.tracks(done.id), b.bot, { folder: FOLDER });
      return { detail: `0 messages spent, ${n}/4 after fixing; job said "${paused.pauseReason}"`, pacing: pacingOf(b.bot) };
    } finally {
      a.close();
      b?.close();
      a.dispose();
    }
  },
};

export const FAULT_CASES: ChaosCase[] = [
  floodShort,
  floodLong,
  botSilent,
  outOfOrder,
  noPendingRequest,
  wrongFile,
  fileReferenceExpired,
  dcMigration,
  droppedConnection,
  sessionRevoked,
  spotifyRateLimit,
  diskFull,
  readOnlyFolder,
];

export type { SimTrack };
