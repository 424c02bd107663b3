/**
 * Issue 5, "Done means": the whole product through the real CLI code path.
 *
 * `runCli(['node', 'crate', 'download', LINK])` with the composition root of src/main.ts; only the
 * outside world is simulated: the fake Spotify server (the owner's login, 2026 API shapes) and
 * @LosslessRobot behind the real GramjsGateway (a real GramJS client whose transport answers from
 * the simulator). A 40-track playlist with decoy-laden menus, paging, not-found tracks, late and
 * out-of-order files, a wrong file, a mislabeled file, a FloodWait and a Ctrl-C half-way followed
 * by the same command again. Time runs 10× faster (src/engine/clock.ts scaledClock); the
 * simulator runs on the same clock, so "2 s" is 2000 in every log.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { openJobStore } from '../../src/db/job-store.js';
import type { TrackRecord } from '../../src/domain/job.js';
import type { SimAction, SimDelivery } from '../fakes/simulated-lossless/core.js';
import { findable, PLAYLIST_NAME, type E2ETrack } from './catalogue.js';
import { createRig, Sink, type E2ERig } from './rig.js';

const FACTOR = 0.1;
const GAP_MS = 2000;
const FLOOD_SECONDS = 3;

let rig: E2ERig;
let findableTracks: E2ETrack[];
const playlistDir = () => path.join(rig.dir, 'downloads', PLAYLIST_NAME);
const linkOf = (t: E2ETrack) => `https://open.spotify.com/track/${t.spotify.id}`;
const nameOf = (t: E2ETrack) => `${t.artists.join(', ')} - ${t.title}`;
/** The file name the library must give: "Artist - Title.flac", made safe ("AC/DC" → "AC-DC"). */
const fileNameOf = (t: E2ETrack) => `${nameOf(t).replace(/\//g, '-')}.flac`;

/** What happened around the Ctrl-C, for the assertions after the second run. */
const restart = {
  firstStdout: '',
  /** Bot actions before the second run started. */
  actionsBefore: 0,
  /** Files the bot had sent when the first run stopped, and when the second one started. */
  deliveriesAtStop: 0,
  deliveriesBefore: [] as SimDelivery[],
};

beforeAll(async () => {
  rig = await createRig({ factor: FACTOR, floodAtSend: 10, floodSeconds: FLOOD_SECONDS });
  findableTracks = findable(rig.catalogue);
});

afterAll(async () => {
  await rig?.close();
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? [path.join(dir, e.name) + path.sep, ...walk(path.join(dir, e.name))] : [path.join(dir, e.name)],
  );
}

function sha(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Messages (not clicks) to the bot, in order. */
function messages(actions: SimAction[]): SimAction[] {
  return actions.filter((a) => a.kind === 'send' || a.kind === 'inline' || a.kind === 'sendInline');
}

describe('crate download without a Telegram session', () => {
  it('stops before touching anything with a UserError that says to run `crate login` (exit 2)', async () => {
    const stdout = new Sink();
    const stderr = new Sink();
    const code = await runCli(['node', 'crate', 'download', 'https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M'], {
      // The real gateway factory (no createGateway in the wiring): API id and hash set, no session file.
      env: { TELEGRAM_API_ID: '12345', TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef', CRATE_DATA_DIR: 'no-session-data', LOG_LEVEL: 'silent' },
      cwd: rig.dir,
      stdout,
      stderr,
      shutdownSignal: new AbortController().signal,
      wiring: { clock: rig.clock },
    });
    expect(code).toBe(2);
    expect(stdout.text).toBe('');
    expect(stderr.text).toMatch(/^crate: The Telegram user session is not set up: not logged in/);
    expect(stderr.text).toContain('Run `crate login`');
    expect(stderr.text).not.toMatch(/\n\s+at /);
    expect(rig.bot.actions()).toEqual([]);
  });
});

describe('crate download LINK on the simulated @LosslessRobot (real CLI, real GramjsGateway)', () => {
  it('--dry-run --json lists the 40 tracks from the owner\'s login, in order, with ISRCs', async () => {
    const { code, stdout, stderr } = await rig.crate(['download', rig.link, '--dry-run', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { source: Record<string, unknown>; tracks: Record<string, unknown>[]; warnings: string[] };
    expect(doc.source).toMatchObject({ type: 'playlist', name: PLAYLIST_NAME, total: 40, backend: 'user' });
    expect(doc.tracks).toEqual(
      rig.catalogue.map((t) => ({
        position: t.position,
        spotifyId: t.spotify.id,
        artists: t.artists,
        title: t.title,
        album: t.spotify.album.name,
        durationMs: t.spotify.durationMs,
        isrc: t.spotify.isrc,
      })),
    );
    expect(doc.warnings).toEqual([]);
    // A dry run sends nothing from the owner's account.
    expect(rig.bot.actions()).toEqual([]);
  });

  it('Ctrl-C half-way pauses (exit 130); the same command resumes and finishes (exit 0)', async () => {
    const stop = new AbortController();
    const out = new Sink();
    out.watch((text) => {
      // Half-way, at a moment when files are on their way (quality chosen, file not yet sent): at
      // most two of those can be the late ones, so some file comes while Crate is down.
      const finished = (text.match(/^\d+ of 40 finished · /gm) ?? []).length;
      const chosen = rig.bot.actions().filter((a) => a.kind === 'click' && /:q:/.test(a.detail)).length;
      const onTheirWay = chosen - rig.bot.deliveries().length;
      if (((finished >= 20 && onTheirWay >= 3) || finished >= 30) && !stop.signal.aborted) stop.abort(new Error('interrupted'));
    });
    const first = await rig.crate(['download', rig.link], { signal: stop.signal, stdout: out });
    restart.deliveriesAtStop = rig.bot.deliveries().length;
    restart.firstStdout = first.stdout;
    expect(first.stdout).toMatch(/^Starting job #1 "Friday Warmup": 40 tracks → .*downloads, 12 at a time$/m);
    expect(first.stdout).toMatch(/^Paused: interrupted\nRun the same command again to resume where it stopped\.$/m);
    expect(first.code).toBe(130);

    // Crate is down for a while; the bot is not: answers to requests in flight land in the chat.
    await new Promise((r) => setTimeout(r, 12_000 * FACTOR));
    restart.actionsBefore = rig.bot.actions().length;
    restart.deliveriesBefore = rig.bot.deliveries();

    const second = await rig.crate(['download', rig.link]);
    expect(second.stdout).toMatch(/^Resuming job #1 "Friday Warmup": 40 tracks → .*downloads \(\d+ already in place\), 12 at a time$/m);
    expect(second.stdout).toMatch(/^Friday Warmup: 35 done, 3 not found, 2 mismatch \(1 file in _quarantine\) in /m);
    expect(second.stdout).toMatch(/^Quality: 33 × 16\/44\.1, 2 × 24\/96$/m);
    expect(second.code).toBe(0);
  });

  it('every findable track is in DOWNLOAD_FOLDER/<Playlist>/ exactly once, as the bot served it, named after its own tags', async () => {
    const dir = playlistDir();
    const entries = readdirSync(dir).sort();
    expect(entries).toEqual(
      [...findableTracks.map(fileNameOf), `${PLAYLIST_NAME}.m3u8`, `${PLAYLIST_NAME}.xml`, `${PLAYLIST_NAME}.nml`, '_quarantine'].sort(),
    );

    const report = await rig.crate(['report', '--json']);
    expect(report.code).toBe(0);
    const tracks = (JSON.parse(report.stdout) as { tracks: TrackRecord[] }).tracks;
    for (const t of findableTracks) {
      const row = tracks.find((r) => r.position === t.position)!;
      expect(row, nameOf(t)).toMatchObject({ state: 'done', filePath: path.join(dir, fileNameOf(t)), quarantinePath: null });
      const bytes = readFileSync(row.filePath!);
      // Byte for byte the document the bot sent for this track: its own recording, not a decoy's.
      const documentId = String(row.receivedFile!.documentId);
      const served = rig.bot.document(documentId)!;
      expect(served.origin, nameOf(t)).toBe(t.sim.id);
      expect(sha(bytes), nameOf(t)).toBe(sha(rig.bot.documentBytes(documentId, 0, served.facts.size)));
      // The FLAC's own tags name the track the file is named after.
      const meta = await parseFile(row.filePath!);
      expect([meta.common.artist, meta.common.title], nameOf(t)).toEqual([t.artists.join(', '), t.title]);
      expect(meta.format.duration).toBeCloseTo(t.durationSec, 0);
      const hires = t.scenario === 'hires';
      expect(row.audio, nameOf(t)).toEqual({
        bitDepth: hires ? 24 : 16,
        sampleRate: hires ? 96_000 : 44_100,
        channels: 2,
        durationMs: t.durationSec * 1000,
        sizeBytes: bytes.length,
        quality: 'max',
      });
    }
    // The multi-part downloads are whole too.
    for (const t of findableTracks.filter((x) => x.scenario === 'big')) {
      expect(statSync(path.join(dir, fileNameOf(t))).size).toBe(t.sim.bytes);
    }
  });

  it('not-found tracks are reported; the wrong file is a mismatch (never downloaded), the mislabeled one quarantined', async () => {
    const report = await rig.crate(['report', '--json']);
    const doc = JSON.parse(report.stdout) as { job: { status: string }; counts: Record<string, number>; tracks: TrackRecord[] };
    expect(doc.job.status).toBe('done');
    expect(doc.counts).toMatchObject({ done: 35, not_found: 3, mismatch: 2, failed: 0, queued: 0, requested: 0, picked: 0, downloading: 0, verifying: 0, skipped: 0 });
    const byScenario = (s: E2ETrack['scenario']) => rig.catalogue.filter((t) => t.scenario === s).map((t) => t.position);
    const stateOf = (state: string) => doc.tracks.filter((t) => t.state === state).map((t) => t.position);
    expect(stateOf('not_found')).toEqual(byScenario('not-found'));
    expect(stateOf('mismatch')).toEqual([...byScenario('wrong-file'), ...byScenario('mislabeled')].sort((a, b) => a - b));

    const wrong = doc.tracks.find((t) => t.position === byScenario('wrong-file')[0])!;
    expect(wrong.lastError).toMatch(/^the bot sent "Ameritz Countdown Karaoke - Show Me Love \(In the Style of Robin S\) \[Karaoke Version\]/);
    expect(wrong).toMatchObject({ filePath: null, quarantinePath: null });

    const mislabeled = doc.tracks.find((t) => t.position === byScenario('mislabeled')[0])!;
    expect(mislabeled.quarantinePath).toBe(path.join(playlistDir(), '_quarantine', 'Aphex Twin - Windowlicker.flac'));
    expect(mislabeled.lastError).toMatch(/title differs/);
    expect(readdirSync(path.join(playlistDir(), '_quarantine'))).toEqual(['Aphex Twin - Windowlicker.flac']);
    const inside = await parseFile(mislabeled.quarantinePath!);
    expect([inside.common.artist, inside.common.title]).toEqual(['Some Other Band', 'A Different Song']);

    // Nothing half-done is left anywhere under the download folder.
    const all = walk(path.join(rig.dir, 'downloads'));
    expect(all.filter((f) => /\.part(\.meta)?$|\.tmp$|\.crate-copy$/.test(f) || f.includes('.crate-partial'))).toEqual([]);
  });

  it('the m3u8 lists the tracks in playlist order with #EXTINF and relative paths', () => {
    const m3u = readFileSync(path.join(playlistDir(), `${PLAYLIST_NAME}.m3u8`), 'utf8');
    const expected = ['#EXTM3U', ...findableTracks.flatMap((t) => [`#EXTINF:${t.durationSec},${nameOf(t)}`, fileNameOf(t)])];
    expect(m3u).toBe(`${expected.join('\n')}\n`);
  });

  it('messages to the bot were never closer than 2 s, none went during the FloodWait, and the restart sent no burst', () => {
    const actions = rig.bot.actions();
    const sent = messages(actions);
    // The pacer's gate, as recorded in SQLite across both runs: never two messages closer than the gap,
    // also across the restart (the new process measured from the last real send).
    const { store, close } = openJobStore(path.join(rig.dir, 'data', 'crate.sqlite'));
    const gated = store.outgoingTimes(0).filter((o) => o.kind === 'message').map((o) => o.sentAt);
    close();
    const gatedGaps = gated.slice(1).map((t, i) => t - gated[i]!);
    expect(Math.min(...gatedGaps)).toBeGreaterThanOrEqual(GAP_MS);
    // The bot saw exactly these messages: one per gate, in order, each after its gate opened and before
    // the next one did. So at the bot two messages are never closer than the gap minus the in-process
    // delay of the first one (SQLite, the display, GramJS and the simulator share one event loop here:
    // milliseconds, magnified 10× by this clock).
    expect(sent).toHaveLength(gated.length);
    const delays = sent.map((a, i) => a.at - gated[i]!);
    sent.forEach((a, i) => {
      expect(a.at).toBeGreaterThanOrEqual(gated[i]!);
      if (i + 1 < gated.length) expect(a.at).toBeLessThan(gated[i + 1]!);
      if (i + 1 < sent.length) expect(sent[i + 1]!.at - a.at).toBeGreaterThanOrEqual(GAP_MS - delays[i]!);
    });

    // The FloodWait: exactly one refused action, then nothing at all (messages or clicks) for its length.
    const flooded = actions.filter((a) => a.flooded);
    expect(flooded).toHaveLength(1);
    const floodAt = flooded[0]!.at;
    expect(actions.filter((a) => a.at > floodAt && a.at < floodAt + FLOOD_SECONDS * 1000)).toEqual([]);
    // Said once, with what is left of the wait (3 s and the pacer's 1 s margin) when a track first ran into it.
    expect(restart.firstStdout.match(/^waiting [1-4] s: Telegram flood limit$/gm)).toHaveLength(1);
    // The refused request was made again once the wait was over.
    expect(actions.some((a) => a.at >= floodAt + FLOOD_SECONDS * 1000 && a.detail === flooded[0]!.detail && !a.flooded)).toBe(true);
  });

  it('the restart resumed: tracks whose files had come were not asked for again, and every file was asked for once', () => {
    // Some files came while Crate was down: the second run found them in the chat.
    expect(restart.deliveriesBefore.length).toBeGreaterThan(restart.deliveriesAtStop);
    const later = rig.bot.actions().slice(restart.actionsBefore);
    const laterMessages = messages(later).map((a) => a.detail);
    const arrived = new Set(restart.deliveriesBefore.map((d) => rig.bot.document(d.documentId)?.origin));
    for (const t of rig.catalogue.filter((x) => arrived.has(x.sim.id))) {
      expect(laterMessages, `${nameOf(t)} was asked for again after the restart`).not.toContain(linkOf(t));
      expect(laterMessages).not.toContain(nameOf(t));
    }
    // The bot did each findable track's work once: one own-recording delivery per track, across both runs.
    for (const t of findableTracks) {
      const own = rig.bot.deliveries().filter((d) => rig.bot.document(d.documentId)?.origin === t.sim.id);
      expect(own, nameOf(t)).toHaveLength(1);
    }
    // Files came late and out of order: not in the order of the requests they answer.
    const answered = rig.bot.deliveries().map((d) => d.requestMessageId ?? 0);
    expect(answered).not.toEqual([...answered].sort((a, b) => a - b));
    // The paged menus were paged (the original is on page 2 there).
    const pageClicks = rig.bot.actions().filter((a) => a.kind === 'click' && /^\d+:p:/.test(a.detail));
    expect(pageClicks.length).toBeGreaterThanOrEqual(rig.catalogue.filter((t) => t.scenario === 'paged').length);
    // Each track was asked for at most once by link (and once by name when the link found nothing),
    // except one in flight at the Ctrl-C whose request had no answer yet.
    const asked = messages(rig.bot.actions()).filter((a) => !a.flooded).map((a) => a.detail);
    for (const t of rig.catalogue) {
      const times = asked.filter((d) => d === linkOf(t)).length;
      expect(times, nameOf(t)).toBeGreaterThanOrEqual(1);
      expect(times, nameOf(t)).toBeLessThanOrEqual(2);
    }
  });

  it('`crate missing LINK` after the download: only the not-found and mismatched tracks are missing', async () => {
    const { code, stdout } = await rig.crate(['missing', rig.link, '--json']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { dir: string; missing: { position: number }[]; present: { position: number; by: string }[]; extra: unknown[] };
    expect(doc.dir).toBe(playlistDir());
    const missing = rig.catalogue.filter((t) => !findableTracks.includes(t)).map((t) => t.position);
    expect(doc.missing.map((t) => t.position)).toEqual(missing);
    expect(doc.present.map((p) => p.position)).toEqual(findableTracks.map((t) => t.position));
    expect(doc.present.every((p) => p.by === 'isrc')).toBe(true);
    expect(doc.extra).toEqual([]);
  });

  it('`crate status` shows the finished job; downloading part of the playlist again asks the bot nothing', async () => {
    const status = await rig.crate(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/#1 Friday Warmup \[done\] 35 of 40 in library/);
    const before = rig.bot.actions().length;
    // A new job (other options): its tracks are already in the library, so they are linked, not fetched.
    const again = await rig.crate(['download', rig.link, '--limit', '6']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Starting job #2 "Friday Warmup": 6 tracks/m);
    expect(again.stdout).toMatch(/^Friday Warmup: 6 already in library in /m);
    expect(rig.bot.actions().slice(before)).toEqual([]);
    expect(readdirSync(playlistDir()).filter((f) => f.endsWith('.flac'))).toHaveLength(35);
  });
});
