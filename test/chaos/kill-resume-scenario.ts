/**
 * Kill and resume (issue 7, item 1): a playlist job on the simulated @LosslessRobot, run by real
 * `crate download` child processes that are SIGKILLed at chosen steps and restarted each time.
 *
 * The bot lives in this process (SimHost), so its pending replies and files outlive every kill.
 * Kill points are chosen by watching what really happens, not by timers alone: the child's calls
 * (a send, a click, a chunk of a file), its checkpoints (download renamed, library link/unlink)
 * and the bot's action log. After each kill the SQLite rows and the files on disk are read to
 * confirm the step really was hit. At the end: every findable track exactly once and
 * byte-identical to the simulator's document, no `.part` left, nothing asked for again after its
 * file had arrived, and every FloodWait honoured across the restart.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openJobStore } from '../../src/db/job-store.js';
import type { TrackRecord } from '../../src/domain/job.js';
import type { BotMessage } from '../../src/domain/telegram.js';
import { SimulatedLosslessBot, type SimAction, type SimTrack } from '../fakes/simulated-lossless/core.js';
import { fakeId, makeTracks, openUrl, startFakeSpotify } from '../fakes/fake-spotify-server.js';
import type { FloodWindow, PacingRecord } from './context.js';
import type { CheckpointDetail } from './rpc.js';
import { SimHost, type Decision, type HostCall } from './sim-host.js';

export type KillKind =
  | 'sending'
  | 'menu-before-reply'
  | 'menu-row-click'
  | 'menu-quality-click'
  | 'mid-download'
  | 'downloaded'
  | 'verify-link'
  | 'verify-unlink'
  | 'verify-unlinked'
  | 'flood';

export const KILL_CATEGORY: Record<KillKind, string> = {
  sending: 'while sending',
  'menu-before-reply': 'menu pending',
  'menu-row-click': 'menu pending',
  'menu-quality-click': 'menu pending',
  'mid-download': 'mid-download',
  downloaded: 'between download and rename',
  'verify-link': 'during verification',
  'verify-unlink': 'during verification',
  'verify-unlinked': 'during verification',
  flood: 'during a FloodWait',
};

export interface ScenarioOptions {
  tracks: number;
  /** Catalogue positions (0-based) the bot finds nothing for. */
  notFound?: number[];
  kills: KillKind[];
  /** Length of each injected FloodWait. */
  floodSeconds?: number;
  /** Configured gap (DELAY_BETWEEN_REQUESTS), seconds; never below 2. */
  gapSeconds?: number;
  /** Bytes of each track's file (padded FLAC); chunks are 64 KiB. */
  fileBytes?: number;
  /** A kill not hit within this long after arming is given up. */
  armTimeoutMs?: number;
  /** Keep the temporary folder (logs) for inspection. */
  keep?: boolean;
}

export interface KillReport {
  index: number;
  kind: KillKind;
  /** The step was really hit (confirmed from SQLite rows and files after the kill). */
  hit: boolean;
  evidence: string;
  /** Problems found after the restart that followed this kill. */
  violations: string[];
  clean: boolean;
}

export interface ScenarioResult {
  kills: KillReport[];
  /** Problems not tied to one kill (final state). */
  violations: string[];
  runs: number;
  runtimeMs: number;
  pacing: PacingRecord;
  findable: number;
  dir: string;
}

const CHUNK = 64 * 1024;
const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'child-download.ts');
const ROOT = path.resolve(here, '..', '..');

interface Armed {
  index: number;
  kind: KillKind;
  armedAt: number;
}

interface KillEvent {
  index: number;
  kind: KillKind;
  run: number;
  /** What the kill was about, for the checks after it. */
  trackCatalogueId: string | null;
  sentMessageId?: number;
  menuMessageId?: number;
  documentId?: string;
  detail?: CheckpointDetail;
  flood?: FloodWindow;
}

export async function runKillResume(o: ScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const gapSeconds = Math.max(2, o.gapSeconds ?? 2);
  const floodSeconds = o.floodSeconds ?? 5;
  const fileBytes = o.fileBytes ?? 6 * CHUNK + 1234;
  const armTimeoutMs = o.armTimeoutMs ?? 30_000;
  const notFound = new Set(o.notFound ?? []);
  const dir = mkdtempSync(path.join(tmpdir(), 'crate-chaos-kill-'));
  const downloads = path.join(dir, 'downloads');
  const dataDir = path.join(dir, 'data');

  const spotifyTracks = makeTracks(o.tracks, { prefix: 'Chaos', featuring: true });
  const catalogue: SimTrack[] = spotifyTracks.map((t, i) => ({
    id: `c${i + 1}`,
    spotifyId: t.id,
    artists: t.artists,
    title: t.name,
    durationSec: t.durationMs / 1000,
    // Sizes differ a little so a file spliced from two documents could never pass the size check.
    bytes: fileBytes + ((i * 7919) % 4096),
    ...(notFound.has(i) ? { notFound: true } : {}),
  }));
  const byId = new Map(catalogue.map((t) => [t.id, t]));
  const bySpotify = new Map(catalogue.map((t) => [t.spotifyId!, t]));
  const byName = new Map(catalogue.map((t) => [`${t.artists.join(', ')} - ${t.title}`, t]));
  const findable = catalogue.filter((t) => !t.notFound);

  const playlistId = fakeId('pl:chaos-kill');
  const spotify = await startFakeSpotify({
    playlists: [{ id: playlistId, name: 'Chaos Set', ownerId: 'friend', rows: spotifyTracks }],
  });
  const bot = new SimulatedLosslessBot({ catalogue, latencyMs: { reply: [150, 400], file: [300, 1500] }, seed: 11 });

  // ── what the parent sees ──
  const documentArrivals = new Map<string, number>(); // document id → time it was posted
  const servedComplete = new Set<string>(); // documents whose last chunk went out
  const chunkLog: { run: number; documentId: string; offset: number }[] = [];
  const actionTracks: (string | null)[] = []; // bot.actions() index → catalogue id
  const floods: FloodWindow[] = [];
  const runWindows: { run: number; from: number; to: number }[] = [];
  const events: KillEvent[] = [];
  let armed: Armed | null = null;
  let nextKill = 0;
  let pendingFlood = false;

  const trackOfText = (text: string): SimTrack | null => {
    const link = /\/track\/([A-Za-z0-9]+)/.exec(text);
    return (link ? bySpotify.get(link[1]!) : byName.get(text.trim())) ?? null;
  };
  const trackOfRow = (row: string): SimTrack | null => byName.get(row.replace(/\s*\[\d+:\d\d\]\s*$/, '').trim()) ?? null;
  const decode = (data: string) => Buffer.from(data, 'base64').toString('utf8');
  const trackOfClick = (messageId: number, data: string): SimTrack | null => {
    const [m] = bot.getMessages([messageId]);
    if (!m) return null;
    const d = decode(data);
    if (d.startsWith('r:')) return trackOfRow(m.buttons.find((b) => b.data === data)?.text ?? '');
    if (d.startsWith('q:')) return trackOfRow(m.text.split('\n')[0] ?? '');
    return null;
  };
  const trackOfDocument = (documentId: string): SimTrack | null => {
    const origin = bot.document(documentId)?.origin;
    return origin ? (byId.get(origin) ?? null) : null;
  };
  const progress = () => servedComplete.size;
  const targetFor = (i: number) => Math.floor((i * Math.max(1, findable.length - 6)) / Math.max(1, o.kills.length));

  const maybeArm = () => {
    if (armed || pendingFlood || nextKill >= o.kills.length) return;
    if (progress() < targetFor(nextKill)) return;
    armed = { index: nextKill, kind: o.kills[nextKill]!, armedAt: Date.now() };
    nextKill++;
    if (armed.kind === 'flood') {
      bot.floodOnNext(floodSeconds);
      pendingFlood = true;
    }
  };

  const fire = (call: HostCall, e: Omit<KillEvent, 'index' | 'kind' | 'run'>): void => {
    events.push({ index: armed!.index, kind: armed!.kind, run: call.run, ...e });
    armed = null;
  };

  const isTrackRequest = (call: { method: string; args: unknown[] }) => call.method === 'sendText' && !String(call.args[0]).startsWith('/');
  const host = new SimHost(bot, {
    decide(call): Decision {
      maybeArm();
      const a = armed;
      if (!a) return 'go';
      const args = call.args;
      switch (a.kind) {
        case 'sending':
          // The bot gets a track's request; we die before hearing its id. (`/start`, first contact,
          // is no track's request: a kill there proves nothing about resuming a track.)
          return isTrackRequest(call) ? 'kill-after' : 'go';
        case 'menu-row-click':
        case 'menu-quality-click': {
          if (call.method !== 'clickButton') return 'go';
          const d = decode(args[1] as string);
          if (!d.startsWith(a.kind === 'menu-row-click' ? 'r:' : 'q:')) return 'go';
          fire(call, { trackCatalogueId: trackOfClick(args[0] as number, args[1] as string)?.id ?? null, menuMessageId: args[0] as number });
          return 'kill-before';
        }
        case 'mid-download': {
          if (call.method !== 'documentBytes') return 'go';
          const [documentId, offset, limit] = args as [string, number, number];
          const size = bot.document(documentId)?.facts.size ?? 0;
          if (offset < 2 * CHUNK || offset + limit >= size) return 'go';
          fire(call, { trackCatalogueId: trackOfDocument(documentId)?.id ?? null, documentId });
          return 'kill-before';
        }
        case 'downloaded':
        case 'verify-link':
        case 'verify-unlink':
        case 'verify-unlinked': {
          if (call.method !== 'checkpoint') return 'go';
          const want = { downloaded: 'downloaded', 'verify-link': 'link', 'verify-unlink': 'unlink', 'verify-unlinked': 'unlinked' }[a.kind];
          if (args[0] !== want) return 'go';
          const detail = args[1] as CheckpointDetail;
          fire(call, { trackCatalogueId: null, detail, ...(detail.documentId ? { documentId: detail.documentId } : {}) });
          return 'kill-before';
        }
        default:
          return 'go';
      }
    },
    after(call, outcome) {
      if (call.method === 'documentBytes' && outcome.value) {
        const [documentId, offset, limit] = call.args as [string, number, number];
        chunkLog.push({ run: call.run, documentId, offset });
        if (offset + limit >= (bot.document(documentId)?.facts.size ?? Infinity)) servedComplete.add(documentId);
      }
      if (call.method !== 'sendText' && call.method !== 'clickButton') return;
      const action = bot.actions().at(-1);
      const track = call.method === 'sendText' ? trackOfText(call.args[0] as string) : trackOfClick(call.args[0] as number, call.args[1] as string);
      actionTracks[bot.actions().length - 1] = track?.id ?? null;
      const a = armed;
      if (outcome.error?.kind === 'flood' && a?.kind === 'flood' && action?.flooded) {
        const flood = { at: action.at, seconds: outcome.error.seconds };
        floods.push(flood);
        pendingFlood = false;
        fire(call, { trackCatalogueId: track?.id ?? null, flood });
        // Die while the wait runs: the restart must still honour it.
        host.delayKill(1200);
        return;
      }
      if (isTrackRequest(call) && a && (a.kind === 'sending' || a.kind === 'menu-before-reply') && outcome.value) {
        const sent = outcome.value as BotMessage;
        fire(call, { trackCatalogueId: track?.id ?? null, sentMessageId: sent.id });
        // 'sending' is killed by its 'kill-after'; a menu takes 150–400 ms to come.
        if (a.kind === 'menu-before-reply') host.delayKill(40);
      }
    },
    onBotMessage(message, kind) {
      if (kind === 'new' && message.document && !documentArrivals.has(message.document.id)) documentArrivals.set(message.document.id, Date.now());
    },
  });

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...spotify.env({ withApp: false }),
    CRATE_DATA_DIR: dataDir,
    DOWNLOAD_FOLDER: downloads,
    TELEGRAM_API_ID: '12345',
    TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
    DELAY_BETWEEN_REQUESTS: String(gapSeconds),
    RESPONSE_TIMEOUT: '30',
    LOG_LEVEL: 'info',
    CHAOS_LINK: openUrl('playlist', playlistId),
    CHAOS_CWD: dir,
    CHAOS_CHUNK_BYTES: String(CHUNK),
  };

  const reports: KillReport[] = [];
  const finalViolations: string[] = [];
  let runs = 0;
  let abnormal = 0;
  // An armed kill that never comes (the job moved past that step) is given up.
  const watchdog = setInterval(() => {
    const a = armed;
    if (a && Date.now() - a.armedAt > armTimeoutMs) {
      reports.push({ index: a.index, kind: a.kind, hit: false, evidence: `not reached within ${armTimeoutMs / 1000} s`, violations: [], clean: false });
      if (a.kind === 'flood') pendingFlood = false;
      armed = null;
    }
    maybeArm();
  }, 100);

  try {
    for (;;) {
      const run = host.start(CHILD, env, path.join(dir, `run-${runs}.log`), ROOT);
      const from = Date.now();
      runs++;
      const exit = await run.exited;
      runWindows.push({ run: run.run, from, to: Date.now() });
      if (run.killedAt !== null) {
        const event = events.find((e) => e.run === run.run);
        if (event) reports.push(confirmHit(event));
        continue;
      }
      // The child ended by itself: done, or paused (a safety stop the owner would resume).
      const done = readJob()?.status === 'done';
      if (done) break;
      abnormal++;
      if (abnormal > 3) {
        finalViolations.push(`the job did not finish: run ${run.run} exited with ${exit.code ?? exit.signal}, status ${readJob()?.status ?? 'none'} (see ${dir})`);
        break;
      }
    }
  } finally {
    clearInterval(watchdog);
    host.close();
  }
  // Kills never armed (the job ended first).
  for (let i = nextKill; i < o.kills.length; i++) {
    reports.push({ index: i, kind: o.kills[i]!, hit: false, evidence: 'the job finished before this point', violations: [], clean: false });
  }

  // ── final state ──
  const actions = bot.actions();
  const perRunViolation = (at: number, text: string) => {
    const w = runWindows.find((r) => at >= r.from && at <= r.to + 50);
    // A problem in run r follows kill r-1 (run 0 follows no kill).
    const report = w && w.run > 0 ? reports.find((r) => events.find((e) => e.index === r.index)?.run === w.run - 1) : undefined;
    if (report) report.violations.push(text);
    else finalViolations.push(text);
  };

  checkFinalState();
  checkResumedDownloads();
  checkNotFetchedAgain();
  checkNoRepeatAfterArrival(actions);
  checkFloodsHonoured(actions);
  for (const r of reports) r.clean = r.hit && r.violations.length === 0;
  reports.sort((a, b) => a.index - b.index);

  writeFileSync(
    path.join(dir, 'timeline.json'),
    JSON.stringify({ runWindows, events, floods, actions: actions.map((a, i) => ({ ...a, track: actionTracks[i] ?? null })), deliveries: bot.deliveries() }, null, 1),
  );
  bot.close();
  await spotify.close();
  if (!o.keep && reports.every((r) => r.clean) && finalViolations.length === 0) rmSync(dir, { recursive: true, force: true });

  return {
    kills: reports,
    violations: finalViolations,
    runs,
    runtimeMs: Date.now() - started,
    pacing: { source: 'kill-resume', actions, floods, gapMs: gapSeconds * 1000 },
    findable: findable.length,
    dir,
  };

  // ── helpers (hoisted; they close over the state above) ──

  function withStore<T>(fn: (s: ReturnType<typeof openJobStore>['store']) => T): T | null {
    const file = path.join(dataDir, 'crate.sqlite');
    if (!existsSync(file)) return null;
    const opened = openJobStore(file);
    try {
      return fn(opened.store);
    } finally {
      opened.close();
    }
  }

  function readJob() {
    return withStore((s) => s.listJobs({ limit: 1 })[0] ?? null);
  }

  function dbTracks(): TrackRecord[] {
    return withStore((s) => {
      const job = s.listJobs({ limit: 1 })[0];
      return job ? s.tracks(job.id) : [];
    }) ?? [];
  }

  function dbTrackOf(catalogueId: string | null, tracks: TrackRecord[]): TrackRecord | undefined {
    const sim = catalogueId ? byId.get(catalogueId) : undefined;
    return sim ? tracks.find((t) => t.spotifyId === sim.spotifyId) : undefined;
  }

  function dbTrackOfPath(file: string, tracks: TrackRecord[]): TrackRecord | undefined {
    const m = /track-(\d+)\.flac$/.exec(file);
    return m ? tracks.find((t) => t.id === Number(m[1])) : undefined;
  }

  function size(file: string): number | null {
    try {
      return statSync(file).size;
    } catch {
      return null;
    }
  }

  /** Reads the rows and files the kill left behind: was the step really hit? */
  function confirmHit(e: KillEvent): KillReport {
    const tracks = dbTracks();
    const flood = withStore((s) => Number(s.getSetting('pacer.floodUntil') ?? 0)) ?? 0;
    let hit = false;
    let evidence = '';
    const t = e.detail ? dbTrackOfPath(e.detail.path, tracks) : dbTrackOf(e.trackCatalogueId, tracks);
    const label = t ? `track ${t.position} (${t.state})` : 'unknown track';
    switch (e.kind) {
      case 'sending':
        hit = t?.state === 'requested' && t.requestMessageId !== e.sentMessageId;
        evidence = `${label}: the bot got message ${e.sentMessageId}, the row has request ${t?.requestMessageId ?? 'none'}`;
        break;
      case 'menu-before-reply':
        hit = t?.state === 'requested' && t.requestMessageId === e.sentMessageId && t.menuMessageId === null;
        evidence = `${label}: request ${t?.requestMessageId ?? 'none'} recorded, no menu yet`;
        break;
      case 'menu-row-click':
      case 'menu-quality-click':
        // The quality click writes 'downloading' (the file is on its way) just before it goes out.
        hit =
          t !== undefined &&
          t.menuMessageId === e.menuMessageId &&
          (t.state === 'picked' || (e.kind === 'menu-quality-click' && t.state === 'downloading' && t.fileMessageId === null));
        evidence = `${label}: menu ${e.menuMessageId} shown, ${e.kind === 'menu-row-click' ? 'row' : 'quality'} click not sent`;
        break;
      case 'mid-download': {
        const part = t ? path.join(downloads, '.crate-partial', `job-${t.jobId}`, `track-${t.id}.flac.part`) : '';
        const have = t ? size(part) : null;
        const total = e.documentId ? (bot.document(e.documentId)?.facts.size ?? 0) : 0;
        hit = t?.state === 'downloading' && have !== null && have > 0 && have < total;
        evidence = `${label}: .part has ${have ?? 'no'} of ${total} bytes`;
        break;
      }
      case 'downloaded': {
        const have = size(e.detail!.path);
        hit = t?.state === 'downloading' && have !== null && size(`${e.detail!.path}.part`) === null;
        evidence = `${label}: download complete (${have ?? 'no'} bytes), not verified or renamed`;
        break;
      }
      case 'verify-link':
      case 'verify-unlink':
      case 'verify-unlinked': {
        const src = size(e.detail!.path) !== null;
        const dest = e.detail!.other ? size(e.detail!.other) !== null : null;
        // 'downloading' when the library took a download finished before an earlier kill.
        hit = (t?.state === 'verifying' || t?.state === 'downloading') && (e.kind === 'verify-unlinked' ? !src : src);
        evidence = `${label}: download path ${src ? 'present' : 'gone'}${dest === null ? '' : `, final name ${dest ? 'present' : 'absent'}`}`;
        break;
      }
      case 'flood': {
        const until = e.flood!.at + e.flood!.seconds * 1000;
        hit = flood >= until;
        evidence = `${label}: FloodWait ${e.flood!.seconds} s stored until +${Math.round((flood - e.flood!.at) / 100) / 10} s`;
        break;
      }
    }
    return { index: e.index, kind: e.kind, hit, evidence, violations: [], clean: false };
  }

  function walk(root: string): string[] {
    if (!existsSync(root)) return [];
    return readdirSync(root, { withFileTypes: true, recursive: true })
      .filter((d) => d.isFile())
      .map((d) => path.join(d.parentPath, d.name));
  }

  function checkFinalState(): void {
    const job = readJob();
    if (job?.status !== 'done') finalViolations.push(`job status ${job?.status ?? 'missing'}, expected done`);
    const tracks = dbTracks();
    const files = walk(downloads);
    const leftovers = [...files, ...walk(dataDir)].filter((f) => /\.part(\.meta)?$|\.crate-copy$/.test(f));
    for (const f of leftovers) finalViolations.push(`left behind: ${path.relative(dir, f)}`);
    const flacs = files.filter((f) => f.endsWith('.flac') && !f.includes(`${path.sep}.crate-partial${path.sep}`));
    const quarantined = flacs.filter((f) => f.includes(`${path.sep}_quarantine${path.sep}`));
    for (const f of quarantined) finalViolations.push(`quarantined: ${path.relative(dir, f)}`);
    const partial = files.filter((f) => f.includes(`${path.sep}.crate-partial${path.sep}`));
    for (const f of partial) finalViolations.push(`left in the download area: ${path.relative(dir, f)}`);

    const seen = new Set<string>();
    for (const sim of catalogue) {
      const row = tracks.find((t) => t.spotifyId === sim.spotifyId);
      if (sim.notFound) {
        if (row?.state !== 'not_found') finalViolations.push(`${sim.id} (not findable) ended ${row?.state ?? 'missing'}`);
        continue;
      }
      if (row?.state !== 'done' || !row.filePath) {
        finalViolations.push(`${sim.id} ended ${row?.state ?? 'missing'}${row?.lastError ? ` (${row.lastError})` : ''}`);
        continue;
      }
      if (!existsSync(row.filePath)) {
        finalViolations.push(`${sim.id}: ${row.filePath} is missing`);
        continue;
      }
      seen.add(path.resolve(row.filePath));
      const bytes = readFileSync(row.filePath);
      const docs = bot.deliveries().filter((d) => d.trackId === sim.id).map((d) => bot.document(d.documentId)!);
      const same = docs.filter((d) => d.facts.size === bytes.length && d.image.read(0, d.facts.size).equals(bytes));
      if (same.length !== 1) finalViolations.push(`${sim.id}: the file matches ${same.length} of the ${docs.length} documents the bot sent for it`);
    }
    for (const f of flacs) {
      if (!seen.has(path.resolve(f)) && !quarantined.includes(f)) finalViolations.push(`extra file: ${path.relative(dir, f)}`);
    }
    if (seen.size !== findable.length) finalViolations.push(`${seen.size} tracks in the library, ${findable.length} findable`);
  }

  /** A download killed in the middle goes on from its `.part` after the restart, not from byte 0. */
  function checkResumedDownloads(): void {
    for (const e of events.filter((x) => x.kind === 'mid-download' && x.documentId)) {
      const report = reports.find((r) => r.index === e.index);
      const next = chunkLog.find((c) => c.run > e.run && c.documentId === e.documentId);
      const text = next
        ? next.offset > 0
          ? null
          : `the download of ${e.documentId} started again from byte 0 after the restart`
        : `the document ${e.documentId} was never asked for again (another copy was downloaded?)`;
      if (!text) {
        if (report) report.evidence += '; resumed from the .part';
      } else (report?.violations ?? finalViolations).push(text);
    }
  }

  /** A download that was complete when the kill came is verified after the restart, not fetched again. */
  function checkNotFetchedAgain(): void {
    for (const e of events.filter((x) => x.kind === 'downloaded' && x.documentId)) {
      const report = reports.find((r) => r.index === e.index);
      const again = chunkLog.filter((c) => c.run > e.run && c.documentId === e.documentId).length;
      if (again > 0) (report?.violations ?? finalViolations).push(`the complete download of ${e.documentId} was fetched again (${again} chunks)`);
      else if (report) report.evidence += '; not fetched again';
    }
  }

  /** Nothing asked again (a request, a row or quality click) for a track once its file had arrived. */
  function checkNoRepeatAfterArrival(all: SimAction[]): void {
    const firstArrival = new Map<string, number>();
    for (const d of bot.deliveries()) {
      if (!d.trackId || d.kind === 'unsolicited') continue;
      const at = documentArrivals.get(d.documentId);
      if (at === undefined) continue;
      const prev = firstArrival.get(d.trackId);
      if (prev === undefined || at < prev) firstArrival.set(d.trackId, at);
    }
    all.forEach((a, i) => {
      const id = actionTracks[i];
      if (!id || a.flooded) return;
      const arrived = firstArrival.get(id);
      if (arrived !== undefined && a.at > arrived) {
        perRunViolation(a.at, `${id} asked again (${a.kind} ${a.detail}) ${((a.at - arrived) / 1000).toFixed(1)} s after its file had arrived`);
      }
    });
  }

  /** After a kill during a FloodWait, the restarted process sends nothing before the wait is over. */
  function checkFloodsHonoured(all: SimAction[]): void {
    for (const f of floods) {
      const until = f.at + f.seconds * 1000;
      for (const a of all) {
        if (a.at > f.at && a.at < until) perRunViolation(a.at, `${a.kind} sent ${((until - a.at) / 1000).toFixed(1)} s before the FloodWait of ${f.seconds} s ended`);
      }
    }
  }
}

/** `chaos: kill-resume K/20 clean` plus one line per kill that was not clean. */
export function describeKillResume(r: ScenarioResult): string[] {
  const clean = r.kills.filter((k) => k.clean).length;
  const lines = [`chaos: kill-resume ${clean}/${r.kills.length} clean`];
  const byCategory = new Map<string, { hit: number; total: number }>();
  for (const k of r.kills) {
    const c = byCategory.get(KILL_CATEGORY[k.kind]) ?? { hit: 0, total: 0 };
    c.total++;
    if (k.hit) c.hit++;
    byCategory.set(KILL_CATEGORY[k.kind], c);
  }
  lines.push(
    `  ${r.findable} findable tracks, ${r.runs} processes (${r.kills.length} SIGKILLed), ${(r.runtimeMs / 1000).toFixed(0)} s; hit: ` +
      [...byCategory].map(([c, n]) => `${c} ${n.hit}/${n.total}`).join(', '),
  );
  for (const k of r.kills.filter((x) => !x.clean)) {
    lines.push(`  kill ${k.index + 1} (${k.kind}): ${k.hit ? 'hit' : 'NOT hit'} — ${k.evidence}${k.violations.length ? `; ${k.violations.join('; ')}` : ''}`);
  }
  for (const v of r.violations) lines.push(`  ${v}`);
  if (r.violations.length > 0 || r.kills.some((k) => !k.clean)) lines.push(`  logs: ${r.dir}`);
  return lines;
}
