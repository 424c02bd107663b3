/**
 * The development scenarios (test/fixtures/exchange-dev.json, a copy of ../shared/eval) replayed
 * through the product's strategies, scored as the file's note says. PASSING lists the scenarios
 * the strategies meet today; a strategy change that makes another pass adds its id here.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseExchangeText } from '../../../src/lossless/exchange/format.js';
import { replayScenario } from '../../../src/lossless/exchange/replay.js';
import { EXCHANGE_DEV_SET } from '../../fixtures/paths.js';
import { broken, type Expected } from './score.js';

const PASSING = [
  'dev-happy-path',
  'dev-placeholder-edited-into-menu',
  'dev-nothing-found-photo',
  'dev-subscription-gate',
  'dev-paging',
  'dev-wrong-document',
];

const file = parseExchangeText(await readFile(EXCHANGE_DEV_SET, 'utf8'), 'exchange-dev.json');

describe('exchange-dev.json through the product strategies', () => {
  it('holds the scenarios named as passing', () => {
    const ids = file.scenarios.map((s) => s.id);
    for (const id of PASSING) expect(ids).toContain(id);
  });

  for (const scenario of file.scenarios.filter((s) => PASSING.includes(s.id))) {
    it(`${scenario.id}: every expectation met`, async () => {
      const result = await replayScenario(scenario);
      expect(result.id).toBe(scenario.id);
      expect(broken(result, scenario.expected as Expected)).toEqual([]);
    });
  }
});
