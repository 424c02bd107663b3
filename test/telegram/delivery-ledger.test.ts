import { describe, expect, it } from 'vitest';
import type { BotMessage } from '../../src/domain/telegram.js';
import { DeliveryLedger } from '../../src/telegram/delivery-ledger.js';

const msg = (id: number, text = 'x', editDate: number | null = null): BotMessage => ({
  id,
  date: 1,
  editDate,
  out: false,
  text,
  buttons: [],
  media: 'none',
  document: null,
  replyToMessageId: null,
});

describe('DeliveryLedger', () => {
  it('delivers a message once whether the event or the poll sees it first', () => {
    const ledger = new DeliveryLedger();
    expect(ledger.seenNew(msg(5))).toBe('new');
    expect(ledger.seenPolled(msg(5))).toBe('skip');
    expect(ledger.seenPolled(msg(6))).toBe('new');
    expect(ledger.seenNew(msg(6))).toBe('skip');
    expect(ledger.pollCursor).toBe(6);
  });

  it('delivers each edit once, including two edits within the same second', () => {
    const ledger = new DeliveryLedger();
    ledger.seenNew(msg(5, 'wait'));
    expect(ledger.seenEdit(msg(5, 'menu', 100))).toBe('edited');
    expect(ledger.seenPolled(msg(5, 'menu', 100))).toBe('skip');
    expect(ledger.seenEdit(msg(5, 'quality', 100))).toBe('edited');
    // A late event carrying an older version is not news.
    expect(ledger.seenEdit(msg(5, 'menu', 99))).toBe('skip');
    // An edit of a message never seen new is still delivered, as an edit.
    expect(ledger.seenEdit(msg(8, 'doc', 101))).toBe('edited');
  });

  it('treats the baseline and our own messages as known', () => {
    const ledger = new DeliveryLedger();
    ledger.baseline([msg(1), msg(3)]);
    expect(ledger.seenPolled(msg(2))).toBe('skip');
    expect(ledger.seenPolled(msg(3))).toBe('skip');
    expect(ledger.seenPolled(msg(3, 'changed', 50))).toBe('edited');
    ledger.record(msg(4, 'our link'));
    expect(ledger.seenPolled(msg(4, 'our link'))).toBe('skip');
    expect(ledger.seenPolled(msg(9))).toBe('new');
  });

  it('stays bounded: old entries are pruned and become old news', () => {
    const ledger = new DeliveryLedger();
    for (let id = 1; id <= 6_000; id++) ledger.seenNew(msg(id));
    expect(ledger.seenPolled(msg(10))).toBe('skip');
    expect(ledger.seenPolled(msg(6_001))).toBe('new');
  });
});
