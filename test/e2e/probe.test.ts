/**
 * `crate probe` end to end on the simulated @LosslessRobot behind the real GramjsGateway (the e2e
 * rig: fake Spotify, GramJS over the simulated transport, a clock 10× faster): the steps printed
 * verbatim with Crate's reading, `--record` writing an anonymised crate-exchange/1 file, and that
 * file replayed by `crate debug exchange` giving the same outcome.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExchangeText } from '../../src/lossless/exchange/format.js';
import type { ReplayResult } from '../../src/lossless/exchange/replay.js';
import { createRig, type E2ERig } from './rig.js';

let rig: E2ERig;
beforeAll(async () => {
  rig = await createRig({ factor: 0.1, floodAtSend: 10_000, floodSeconds: 1 });
});
afterAll(async () => {
  await rig?.close();
});

function lastJson(stdout: string): ReplayResult {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON line in:\n${stdout}`);
  return JSON.parse(line) as ReplayResult;
}

describe('crate probe on the simulated @LosslessRobot', () => {
  it('a paged menu: every step printed, recorded anonymised, and the recording replays to the same outcome', async () => {
    const track = rig.catalogue.find((t) => t.scenario === 'paged')!;
    const file = path.join(rig.dir, 'paged.json');
    const run = await rig.crate(['probe', `https://open.spotify.com/track/${track.spotify.id}?si=0123456789abcdef`, '--record', file, '--json']);
    expect(run.stderr).toContain('Probing @LosslessRobot');
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/\+\d+\.\d s {2}→ sent \(#\d+\): "https:\/\/open\.spotify\.com\/track\//);
    expect(out).toContain('Crate reads: search menu');
    expect(out).toMatch(/\[row 1, column 1\] ".+ \[\d+:\d\d\]" \(button\)/);
    expect(out).toMatch(/→ pressed "→" \(row \d+, column 3\)/);
    expect(out).toContain('Crate reads: quality menu (low, high, max)');
    expect(out).toMatch(/toast: "Загрузка началась"/);
    expect(out).toMatch(/media: document .*\.flac, audio\/flac, \d+ bytes, performer ".+", title ".+", \d+:\d\d/);
    expect(out).toMatch(/Crate would download the file of #\d+ now/);
    expect(out).toContain('Verdict: download');
    const probed = lastJson(out);
    expect(probed).toMatchObject({ outcome: 'download', pause: null });
    expect(probed.document).toMatch(/^m\d+$/);
    expect(out).toContain(`Recorded (anonymised) to ${file}`);

    const text = await readFile(file, 'utf8');
    // No share id, no message or document ids (refs only).
    expect(text).not.toContain('si=');
    expect(text).not.toMatch(/"(id|messageId|documentId)": \d/);
    const recording = parseExchangeText(text, file);
    const scenario = recording.scenarios[0]!;
    expect(scenario.request).toMatchObject({ artists: track.artists, title: track.title, spotifyUrl: `https://open.spotify.com/track/${track.spotify.id}` });
    // (A first-contact /start, when Crate sends one, is a rule of its own before these.)
    const rules = scenario.bot.filter((r) => r.on.sent !== 'start');
    expect(rules.map((r) => Object.keys(r.on).filter((k) => r.on[k as keyof typeof r.on] !== undefined)[0])).toEqual(['sent', 'clicked', 'clicked', 'clicked']);
    // A fresh account: the probe sent /start first (once), and the recording says so.
    expect(scenario.bot[0]!.on).toMatchObject({ sent: 'start' });

    const replay = await rig.crate(['debug', 'exchange', '--input', file]);
    expect(replay.code).toBe(0);
    const replayed = lastJson(replay.stdout);
    expect({ outcome: replayed.outcome, document: replayed.document, clicks: replayed.clicks, sent: replayed.sent }).toEqual({
      outcome: probed.outcome,
      document: probed.document,
      clicks: probed.clicks,
      sent: probed.sent.map((s) => s.replace('?si=0123456789abcdef', '')),
    });
  });

  it('a track the bot does not know: not found by link and by name, the same on replay', async () => {
    const track = rig.catalogue.find((t) => t.scenario === 'not-found')!;
    const file = path.join(rig.dir, 'not-found.json');
    const run = await rig.crate(['probe', `https://open.spotify.com/track/${track.spotify.id}`, '--record', file, '--json']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('media: photo');
    expect(run.stdout).toContain('Crate reads: nothing found');
    const probed = lastJson(run.stdout);
    expect(probed.outcome).toBe('not_found');
    expect(probed.sent.filter((t) => t !== '/start')).toHaveLength(2);
    const replayed = lastJson((await rig.crate(['debug', 'exchange', '--input', file])).stdout);
    expect(replayed).toMatchObject({ outcome: 'not_found', document: null, sent: probed.sent });
  });

  it('says in plain words what a probe needs', async () => {
    const bad = await rig.crate(['probe', 'just words']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('neither a Spotify track link nor "Artist - Title"');
    const playlist = await rig.crate(['probe', rig.link]);
    expect(playlist.code).toBe(2);
    expect(playlist.stderr).toContain('A probe asks for one track');
  });
});
