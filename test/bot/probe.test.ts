/**
 * /probe in the control bot: the real prober (the product's chat strategy and Pacer) over the plain
 * gateway fake of the simulated @LosslessRobot; the answer lists every step, ends with the
 * verdict, and attaches the anonymised recording.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/engine/clock.js';
import { Pacer } from '../../src/engine/pacer.js';
import { silentLogger } from '../../src/logger.js';
import { parseExchange } from '../../src/lossless/exchange/format.js';
import { MemoryPacerStore } from '../../src/lossless/exchange/memory-pacer-store.js';
import { createProber, probeForChat } from '../../src/lossless/exchange/prober.js';
import { FakeGateway } from '../fakes/fake-gateway.js';
import { SimulatedLosslessBot } from '../fakes/simulated-lossless/core.js';
import { OWNER, startHarness, type Harness } from './harness.js';

let h: Harness;
let sim: SimulatedLosslessBot;
let busy: string | null = null;
beforeAll(async () => {
  sim = new SimulatedLosslessBot({
    catalogue: [{ id: 'rain', artists: ['Kerri Chandler'], title: 'Rain', durationSec: 371, decoys: ['Kerri Chandler - Rain (Karaoke Version) [6:11]'] }],
    latencyMs: { reply: [5, 20], file: [20, 60] },
  });
  const gateway = new FakeGateway(sim);
  await gateway.connect();
  const prober = createProber({
    source: { load: async () => Promise.reject(new Error('no Spotify in this test')) },
    gateway,
    pacer: new Pacer({ store: new MemoryPacerStore(), clock: systemClock, messageGapSeconds: 2, dailyBudget: 100 }),
    clock: systemClock,
    mode: 'chat',
    quality: 'high',
    responseTimeoutSeconds: 20,
    logger: silentLogger(),
    busy: () => busy,
  });
  h = await startHarness({ bot: { prober: probeForChat(prober) } });
});
afterAll(async () => {
  await h.stop();
  sim.close();
});

const sent = (fragment: string) => h.server.waitFor(() => h.server.sentMessages((p) => String(p.text ?? p.caption).includes(fragment)).at(-1));

describe('/probe', () => {
  it('answers at once, then sends every step, the verdict and the recording as a file', async () => {
    h.server.pushMessage(OWNER, '/probe Kerri Chandler - Rain');
    await sent('Probing @LosslessRobot for "Kerri Chandler - Rain"');
    await sent('Verdict: download');
    const all = h.server.sentMessages().map((m) => m.text).join('\n');
    expect(all).toMatch(/→ sent \(#\d+\): "Kerri Chandler - Rain"/);
    expect(all).toContain('[row 1, column 1] "Kerri Chandler - Rain [6:11]" (button)');
    expect(all).toContain('Crate reads: quality menu (low, high, max)');
    const file = await h.server.waitFor(() => h.server.callsOf('sendDocument').at(-1));
    // grammY sends the file as a multipart part that `document` points at (attach://NAME).
    const part = String(file.payload.document).replace('attach://', '');
    const recording = parseExchange(file.payload[part]);
    expect(recording.scenarios[0]).toMatchObject({ mode: 'chat', request: { artists: ['Kerri Chandler'], title: 'Rain' }, expected: { outcome: 'download', document: expect.stringMatching(/^m\d+$/) } });
    expect(String(file.payload.caption)).toContain('crate-exchange/1');
  });

  it('explains what it needs and refuses beside a running job, in plain words', async () => {
    h.server.pushMessage(OWNER, '/probe');
    await sent('Send /probe with a Spotify track link or "Artist - Title"');
    busy = 'job 3 is running';
    h.server.pushMessage(OWNER, '/probe Kerri Chandler - Rain');
    const refused = await sent('Cannot probe now: job 3 is running.');
    expect(refused.text).toContain('Pause it first');
    busy = null;
  });
});
