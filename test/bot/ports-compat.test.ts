import { describe, expectTypeOf, it } from 'vitest';
import type { TelegramLoginFlow } from '../../src/bot/ports.js';
import type { LoginFlow } from '../../src/telegram/login.js';

describe('bot ports', () => {
  it('GATEWAY’s LoginFlow satisfies the bot’s TelegramLoginFlow as it is', () => {
    expectTypeOf<LoginFlow>().toMatchTypeOf<TelegramLoginFlow>();
  });
});
