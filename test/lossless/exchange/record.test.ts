/**
 * Recording: what a probe writes down, anonymised, and read back. Every fixture scenario is probed
 * (its scripted bot standing in for the real one), recorded, parsed again and replayed: the
 * replay of the recording gives the probe's own line. And the scrubber's table.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/engine/pacer.js';
import { VirtualClock } from '../../../src/engine/virtual-clock.js';
import { silentLogger } from '../../../src/logger.js';
import { parseExchange, parseExchangeText, type ExchangeScenario } from '../../../src/lossless/exchange/format.js';
import { MemoryPacerStore } from '../../../src/lossless/exchange/memory-pacer-store.js';
import { recordingOf, runProbe } from '../../../src/lossless/exchange/probe.js';
import { createProber } from '../../../src/lossless/exchange/prober.js';
import { scrubber } from '../../../src/lossless/exchange/record.js';
import { firstContactOf, replayScenario } from '../../../src/lossless/exchange/replay.js';
import { ScriptedBot } from '../../../src/lossless/exchange/scripted-bot.js';
import { EXCHANGE_DEV_SET, EXCHANGES_DIR } from '../../fixtures/paths.js';

const sources = [EXCHANGE_DEV_SET, ...(await readdir(EXCHANGES_DIR)).filter((f) => f.endsWith('.json')).map((f) => path.join(EXCHANGES_DIR, f))];
const scenarios = (await Promise.all(sources.map(async (f) => parseExchangeText(await readFile(f, 'utf8'), f).scenarios))).flat();

async function probeScripted(scenario: ExchangeScenario) {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12));
  const bot = new ScriptedBot(scenario, { clock });
  const pacer = new Pacer({ store: new MemoryPacerStore(), clock, messageGapSeconds: 3, dailyBudget: 100, random: () => 0.5 });
  const r = scenario.request;
  const track = { position: 1, spotifyId: /track\/(\w{22})/.exec(r.spotifyUrl ?? '')?.[1] ?? null, artists: r.artists, title: r.title, album: r.album ?? null, durationMs: r.durationMs ?? null, isrc: r.isrc ?? null, releaseYear: null };
  try {
    return await clock.run(
      // The account as the scenario was recorded (fresh when it answers /start), as the replay assumes.
      runProbe({ gateway: bot, pacer, clock, mode: scenario.mode, quality: scenario.quality, responseTimeoutSeconds: 300, logger: silentLogger(), firstContact: firstContactOf(scenario) }, track, { id: scenario.id, ownerNames: ['Ivan Petrov (@ivan_p)'] }),
    );
  } finally {
    bot.close();
  }
}

describe('probe → recording → replay', () => {
  for (const scenario of scenarios) {
    it(`${scenario.id}: the recording replays to the probe's line`, async () => {
      const report = await probeScripted(scenario);
      const original = await replayScenario(scenario);
      // The probe drives the product's strategy just as a replay does.
      expect({ ...report.result, id: original.id, reason: '' }).toEqual({ ...original, reason: '', document: report.result.document });
      const recording = parseExchange(JSON.parse(recordingOf(report)), 'recording');
      const replayed = await replayScenario(recording.scenarios[0]!);
      expect(replayed).toEqual(report.result);
      expect(recording.scenarios[0]!.expected).toMatchObject({ outcome: report.result.outcome, document: report.result.document });
      // Inline results keep their message text and keyboard (a wait button says the file is not ready).
      const results = (rules: ExchangeScenario['bot']) => rules.flatMap((rule) => rule.replies.flatMap((x) => x.results ?? []));
      expect(results(recording.scenarios[0]!.bot).map((x) => [x.text ?? null, x.buttons?.flat().map((b) => b.text) ?? []])).toEqual(
        results(scenario.bot).map((x) => [x.text ?? null, x.buttons?.flat().map((b) => b.text) ?? []]),
      );
    });
  }
});

describe('a recording names nobody', () => {
  it("the account's names and phone in the bot's texts are removed (names from the session)", async () => {
    const scenario = parseExchange({
      format: 'crate-exchange/1',
      scenarios: [
        {
          id: 'names',
          request: { artists: ['Kino'], title: 'Gruppa Krovi', durationMs: 283_000 },
          bot: [
            { on: { sent: 'text' }, replies: [{ afterMs: 500, message: { ref: 'm1', text: 'Привет, Viktor Tsoi! Ваш номер +7 912 345-67-89, id 5123456789', buttons: [[{ text: 'Kino - Gruppa Krovi [4:43]', data: 'u:5123456789:0' }]] } }] },
            { on: { clicked: 'Kino - Gruppa Krovi [4:43]' }, replies: [{ afterMs: 500, edit: { ref: 'm1', text: 'Viktor, выберите качество:', buttons: [[{ text: 'High (16bit) 💿', data: 'q:16' }]] } }] },
            { on: { clicked: 'High (16bit) 💿' }, replies: [{ afterMs: 5000, message: { ref: 'm2', media: { kind: 'document', fileName: 'Kino - Gruppa Krovi.flac', mimeType: 'audio/flac', size: 9, performer: 'Kino', title: 'Gruppa Krovi', durationSec: 283 } } }] },
          ],
        },
      ],
    }).scenarios[0]!;
    const clock = new VirtualClock(Date.UTC(2026, 0, 1, 12));
    const bot = new ScriptedBot(scenario, { clock });
    // The session knows the account as @vtsoi, first name Viktor, last name Tsoi.
    const gateway = Object.assign(bot, { status: async () => ({ state: 'ready' as const, user: '@vtsoi', detail: null, names: ['Viktor', 'Tsoi', 'vtsoi'] }) });
    const prober = createProber({
      source: { load: async () => Promise.reject(new Error('unused')) },
      gateway,
      pacer: new Pacer({ store: new MemoryPacerStore(), clock, messageGapSeconds: 3, dailyBudget: 100 }),
      clock,
      mode: 'chat',
      quality: 'high',
      responseTimeoutSeconds: 300,
      logger: silentLogger(),
      busy: () => null,
    });
    try {
      const report = await clock.run(prober.probe('Kino - Gruppa Krovi'));
      expect(report.result).toMatchObject({ outcome: 'download', document: 'm2' });
      const text = recordingOf(report);
      expect(text).not.toMatch(/Viktor|Tsoi|vtsoi|912|5123456789/);
      expect(text).toContain('Привет, <owner>! Ваш номер <phone>, id <id1>');
      expect(text).toContain('"data": "u:<id1>:0"');
      // The scrubbed recording still replays: the pressed texts and the data match as scrubbed.
      expect(await replayScenario(parseExchange(JSON.parse(text)).scenarios[0]!)).toMatchObject({ outcome: 'download', document: 'm2' });
    } finally {
      bot.close();
    }
  });
});

describe('scrubber', () => {
  const scrub = scrubber(['Ivan Petrov (@ivan_p)']);
  it.each([
    ['Здравствуйте, Ivan Petrov!', 'Здравствуйте, <owner>!'],
    ['Привет, Ivan! Ваш аккаунт @ivan_p', 'Привет, <owner>! Ваш аккаунт <owner>'],
    ['Телефон: +7 912 345-67-89', 'Телефон: <phone>'],
    ['call +44 1234 567890 now', 'call <phone> now'],
    ['user 5123456789 chat 5123456789 other 987654321', 'user <id1> chat <id1> other <id2>'],
    ['https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=abcdef0123', 'https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC'],
    ['https://open.spotify.com/track/x?foo=1&si=abc', 'https://open.spotify.com/track/x?foo=1'],
    // Music stays as it is: years, lengths, page counters, short numbers.
    ['Benny Benassi - Satisfaction (2019 - 2020 Remaster) [4:45]', 'Benny Benassi - Satisfaction (2019 - 2020 Remaster) [4:45]'],
    ['1 / 16', '1 / 16'],
    ['Ivanhoe - Petrovsky Mix', 'Ivanhoe - Petrovsky Mix'],
  ])('%s', (input, output) => {
    expect(scrub(input)).toBe(output);
  });
});
