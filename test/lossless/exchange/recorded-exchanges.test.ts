/**
 * Every crate-exchange/1 file in test/fixtures/exchanges/ is a test: each scenario is replayed the
 * way `crate debug exchange` does (scripted bot) and run on the simulated @LosslessRobot with the
 * scenario as its behaviour (real FLAC bytes); both must meet the scenario's `expected` and agree.
 * The dev set (exchange-dev.json) must at least give the same lines on both.
 */
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExchangeText, type ExchangeScenario } from '../../../src/lossless/exchange/format.js';
import { replayScenario } from '../../../src/lossless/exchange/replay.js';
import { runOnSimulator } from '../../fakes/simulated-lossless/exchange-run.js';
import { EXCHANGE_DEV_SET, EXCHANGES_DIR } from '../../fixtures/paths.js';
import { broken, type Expected } from './score.js';

const files = (await readdir(EXCHANGES_DIR)).filter((f) => f.endsWith('.json')).sort();
const recorded = await Promise.all(
  files.map(async (f) => ({ file: f, scenarios: parseExchangeText(await readFile(path.join(EXCHANGES_DIR, f), 'utf8'), f).scenarios })),
);
const dev = parseExchangeText(await readFile(EXCHANGE_DEV_SET, 'utf8'), 'exchange-dev.json').scenarios;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'crate-exchanges-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function bothWays(scenario: ExchangeScenario) {
  const replayed = await replayScenario(scenario);
  const simulated = await runOnSimulator(scenario, { dir });
  const { reason: _r1, ...a } = replayed;
  const { reason: _r2, ...b } = simulated.result;
  expect(b).toEqual(a);
  if (simulated.path) {
    const file = await open(simulated.path, 'r');
    try {
      const head = Buffer.alloc(4);
      await file.read(head, 0, 4, 0);
      expect(head.toString('latin1')).toBe('fLaC');
    } finally {
      await file.close();
    }
  }
  return replayed;
}

describe('recorded exchanges (test/fixtures/exchanges)', () => {
  it('the folder holds at least one file', () => {
    expect(recorded.length).toBeGreaterThan(0);
  });
  for (const { file, scenarios } of recorded) {
    for (const scenario of scenarios) {
      it(`${file} ${scenario.id}: replay and simulator agree and meet expected`, async () => {
        const result = await bothWays(scenario);
        if (scenario.expected !== undefined) expect(broken(result, scenario.expected as Expected)).toEqual([]);
      });
    }
  }
});

describe('exchange-dev.json on the simulator', () => {
  for (const scenario of dev) {
    it(`${scenario.id}: the simulator gives the same line as the replay`, async () => {
      await bothWays(scenario);
    });
  }
});
