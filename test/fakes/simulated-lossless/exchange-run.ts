/**
 * Runs a `crate-exchange/1` scenario on the simulated @LosslessRobot (the scenario as its
 * behaviour) behind the plain FakeGateway, through the product's acquirer and real Pacer on one
 * virtual clock. Unlike `crate debug exchange`, the file really arrives: real FLAC bytes through
 * `.part` + rename.
 */
import path from 'node:path';
import type { AcquireRequest } from '../../../src/engine/ports.js';
import { Pacer } from '../../../src/engine/pacer.js';
import type { ExchangeScenario } from '../../../src/lossless/exchange/format.js';
import { MemoryPacerStore } from '../../../src/lossless/exchange/memory-pacer-store.js';
import { firstContactOf, productAcquirer, resultOf, resultOfError, trackFromRequest, type ReplayResult } from '../../../src/lossless/exchange/replay.js';
import { silentLogger } from '../../../src/logger.js';
import { FakeClock } from '../fake-clock.js';
import { FakeGateway, schedulerOnClock } from '../fake-gateway.js';
import { SimulatedLosslessBot } from './core.js';

export interface SimulatorRun {
  result: ReplayResult;
  /** Where the downloaded file is, when one was downloaded. */
  path: string | null;
  bot: SimulatedLosslessBot;
  gateway: FakeGateway;
}

export async function runOnSimulator(scenario: ExchangeScenario, options: { dir: string; responseTimeoutSeconds?: number }): Promise<SimulatorRun> {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const bot = new SimulatedLosslessBot({ catalogue: [], script: scenario, clock: schedulerOnClock(clock) });
  const gateway = new FakeGateway(bot);
  const pacer = new Pacer({ store: new MemoryPacerStore(), clock, messageGapSeconds: 3, dailyBudget: 10_000, random: () => 0.5 });
  const acquirer = productAcquirer({
    gateway,
    pacer,
    clock,
    mode: scenario.mode,
    responseTimeoutSeconds: options.responseTimeoutSeconds ?? 300,
    logger: silentLogger(),
    // The account state the scenario was recorded in, as in the replay.
    firstContact: firstContactOf(scenario),
  });
  const track = trackFromRequest(scenario.request);
  const request: AcquireRequest = {
    track,
    downloadPath: path.join(options.dir, `${scenario.id.replace(/[^\w.-]+/g, '_')}.flac`),
    quality: scenario.quality,
    signal: new AbortController().signal,
    record: async (patch) => void Object.assign(track, patch, { updatedAt: clock.now() }),
    onBytes: () => undefined,
  };
  try {
    const settled = await clock.run(acquirer.acquire(request)).then(
      (ok) => ({ ok }) as const,
      (err: unknown) => ({ err }) as const,
    );
    const downloads = gateway.calls.filter((c) => c.method === 'downloadDocument');
    const last = downloads.at(-1);
    const trace = bot.script!.trace(last ? (last.args[0] as number) : null);
    if ('err' in settled) return { result: resultOfError(scenario.id, trace, settled.err), path: null, bot, gateway };
    const result = resultOf(scenario.id, trace, settled.ok);
    return { result, path: settled.ok.kind === 'downloaded' ? settled.ok.path : null, bot, gateway };
  } finally {
    acquirer.close();
    bot.close();
  }
}
