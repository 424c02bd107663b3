import { describe, expect, it } from 'vitest';
import { ExchangeFormatError, parseExchange, parseExchangeText } from '../../../src/lossless/exchange/format.js';

const request = { artists: ['Benny Benassi'], title: 'Satisfaction', durationMs: 285000 };

function file(...scenarios: unknown[]) {
  return { format: 'crate-exchange/1', scenarios };
}

function scenario(id: string, bot: unknown[], extra: Record<string, unknown> = {}) {
  return { id, mode: 'chat', request, bot, ...extra };
}

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ExchangeFormatError);
    return (err as Error).message;
  }
  throw new Error('expected an ExchangeFormatError');
}

describe('parseExchange', () => {
  it('reads the example of the issue, with defaults and the expected block ignored', () => {
    const parsed = parseExchange(
      file(
        scenario(
          'x1',
          [
            {
              on: { sent: 'any' },
              replies: [
                { afterMs: 600, message: { ref: 'm1', text: '🔍 …', buttons: [] } },
                { afterMs: 1500, edit: { ref: 'm1', text: '', buttons: [[{ text: 'Benny Benassi - Satisfaction [4:45]', data: 't:1' }]] } },
              ],
            },
            { on: { clicked: 'High (16bit) 💿' }, toast: 'Загрузка…', replies: [{ afterMs: 9000, message: { ref: 'm2', media: { kind: 'document', size: 41000000 } } }] },
          ],
          { quality: undefined, expected: { outcome: 'download' } },
        ),
      ),
    );
    const s = parsed.scenarios[0]!;
    expect(s.quality).toBe('high');
    expect(s.bot).toHaveLength(2);
    expect(s.bot[1]!.toast).toBe('Загрузка…');
  });

  it('names the file, the scenario and the path of a bad field', () => {
    const msg = error(() =>
      parseExchange(file(scenario('ok', []), scenario('bad-one', [{ on: { sent: 'link' }, replies: [{ afterMs: -5, message: { ref: 'm1' } }] }])), 'rec.json'),
    );
    expect(msg).toContain('rec.json');
    expect(msg).toContain('scenario "bad-one" (scenarios[1])');
    expect(msg).toMatch(/bot\[0\]\.replies\[0\]/);
  });

  it('refuses a misspelt key instead of ignoring it', () => {
    const msg = error(() => parseExchange(file(scenario('typo', [{ on: { sent: 'link' }, reples: [] }]))));
    expect(msg).toContain('scenario "typo"');
    expect(msg).toContain('bot[0]');
  });

  it('refuses another format, duplicate ids, duplicate message refs and edits of nothing', () => {
    expect(error(() => parseExchange({ format: 'crate-match-eval/1', scenarios: [] }))).toContain('not a crate-exchange/1 file');
    expect(error(() => parseExchange(file(scenario('a', []), scenario('a', []))))).toContain('used by an earlier scenario');
    const twice = [
      { on: { sent: 'link' }, replies: [{ message: { ref: 'm1' } }] },
      { on: { sent: 'text' }, replies: [{ message: { ref: 'm1' } }] },
    ];
    expect(error(() => parseExchange(file(scenario('dup', twice))))).toContain('"m1" is used twice');
    const orphan = [{ on: { clicked: 'x' }, replies: [{ edit: { ref: 'nope', text: '' } }] }];
    expect(error(() => parseExchange(file(scenario('edit', orphan))))).toContain('no message or inline result has ref "nope"');
    expect(error(() => parseExchange(file(scenario('chosen', [{ on: { chosen: 'r9' }, replies: [] }]))))).toContain('no inline result has ref "r9"');
  });

  it('says which of the exclusive keys is wrong', () => {
    expect(error(() => parseExchange(file(scenario('two', [{ on: { sent: 'link', clicked: 'x' }, replies: [] }]))))).toMatch(
      /bot\[0\]\.on: an "on" has exactly one of/,
    );
    expect(error(() => parseExchange(file(scenario('m', [{ on: { clicked: 'x', matches: 'y' }, replies: [] }]))))).toContain('bot[0].on.matches');
    expect(error(() => parseExchange(file(scenario('r', [{ on: { sent: 'any' }, replies: [{ afterMs: 1, toast: 'a', message: { ref: 'm' } }] }]))))).toMatch(
      /bot\[0\]\.replies\[0\]: a reply has exactly one of/,
    );
  });

  it('refuses a regex that does not compile and sizes past the bounds', () => {
    expect(error(() => parseExchange(file(scenario('re', [{ on: { sent: 'text', matches: '([' }, replies: [] }]))))).toContain('not a valid regular expression');
    const huge = 'x'.repeat(5000);
    expect(error(() => parseExchange(file(scenario('big', [{ on: { sent: 'any' }, replies: [{ message: { ref: 'm', text: huge } }] }]))))).toContain(
      'scenario "big"',
    );
    const rows = Array.from({ length: 31 }, () => [{ text: 'a', data: 'b' }]);
    expect(error(() => parseExchange(file(scenario('rows', [{ on: { sent: 'any' }, replies: [{ message: { ref: 'm', buttons: rows } }] }]))))).toContain(
      'buttons',
    );
    expect(error(() => parseExchange(file(scenario('both', [{ on: { sent: 'any' }, replies: [{ message: { ref: 'm', buttons: [[{ text: 'a', data: 'b', url: 'https://t.me/x' }]] } }] }]))))).toContain(
      'at most one of data',
    );
  });

  it('says when the text is not JSON or far too large', () => {
    expect(error(() => parseExchangeText('{nope', 'x.json'))).toContain('x.json is not valid JSON');
    expect(error(() => parseExchangeText(' '.repeat(9 * 1024 * 1024), 'big.json'))).toContain('larger than');
  });
});
