/**
 * The control bot as a phone user meets it (issue 12, control bot items): the real `crate serve`
 * on the fake Bot API server, the simulated @LosslessRobot and real SQLite. A first serve (logged
 * in) finishes a job with a track the bot could not find; a second serve on the same data has no
 * user session — what the owner then sees, and what it costs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/bot/callback-data.js';
import { OWNER, PLAYLIST_NAME, buttonsOf, gatewayFromSessionFile, loggedInGateway, sentWith, serve, startStack, type Serving, type Stack } from './serve-stack.js';

let stack: Stack;
let running: Serving;
let firstJob: number;
let sentAfterFirstRun: number;

const answered = (text: string) => stack.server.waitFor(() => stack.server.callsOf('answerCallbackQuery').some((c) => c.payload.text === text));
const press = (message: { messageId: number; payload: Record<string, any> }, label: RegExp) => {
  const button = (message.payload.reply_markup.inline_keyboard as { text: string; callback_data: string }[][]).flat().find((b) => label.test(b.text));
  if (!button) throw new Error(`no button ${label} in ${JSON.stringify(message.payload.reply_markup)}`);
  stack.server.pushCallbackQuery(OWNER, message.messageId, button.callback_data);
};
/** The next message containing `fragment` sent after this call (older ones do not count). */
const nextSent = (fragment: string) => {
  const seen = stack.server.sentMessages((p) => String(p.text).includes(fragment)).length;
  return stack.server.waitFor(() => {
    const all = stack.server.sentMessages((p) => String(p.text).includes(fragment));
    return all.length > seen ? all.at(-1) : null;
  });
};
/** Everything the bot wrote (since the call with index `from`): messages, edits and toasts. */
const allTexts = (from = 0) =>
  stack.server.calls
    .slice(from)
    .filter((c) => ['sendMessage', 'editMessageText', 'answerCallbackQuery'].includes(c.method))
    .map((c) => String(c.payload.text ?? ''));
const messagesToday = async (): Promise<number> => {
  const before = stack.server.sentMessages((p) => String(p.text).startsWith('Crate status')).length;
  stack.server.pushMessage(OWNER, '/status');
  await stack.server.waitFor(() => stack.server.sentMessages((p) => String(p.text).startsWith('Crate status')).length > before);
  const status = stack.server.sentMessages((p) => String(p.text).startsWith('Crate status')).at(-1)!;
  return Number(/(\d+)\/400 messages today/.exec(status.text)![1]);
};

beforeAll(async () => {
  stack = await startStack({ tracks: 6 });
  const first = await serve(stack, { createGateway: loggedInGateway(stack) });
  stack.server.pushMessage(OWNER, stack.playlistUrl);
  const preview = await sentWith(stack.server, 'is ready');
  firstJob = Number(/Job #(\d+)/.exec(preview.text)![1]);
  stack.server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('start', firstJob));
  const progressText = () => stack.server.messageText(OWNER.id, preview.messageId) ?? '';
  // Paused while tracks are asked for: the card must not claim anything is in flight.
  await stack.server.waitFor(() => progressText().includes('In flight'), 20_000);
  stack.server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('pause', firstJob));
  await stack.server.waitFor(() => progressText().includes('⏸ paused: paused by you'), 10_000);
  expect(progressText()).not.toContain('In flight');
  stack.server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('resume', firstJob));
  await sentWith(stack.server, '✅ Finished', 30_000);
  await stack.server.waitFor(() => progressText().includes('✅ finished'));
  expect(progressText()).not.toContain('In flight');
  first.controller.abort();
  expect(await first.exit).toBe(0);
  sentAfterFirstRun = stack.bot.actions().filter((a) => a.kind === 'send').length;

  // The same data folder, no session file: Crate is not logged in.
  running = await serve(stack, { createGateway: gatewayFromSessionFile(stack) });
}, 90_000);

afterAll(async () => {
  running?.controller.abort();
  await running?.exit;
  await stack?.close();
});

describe('the control bot without a user session (issue 12)', () => {
  it('Pick from menu says "not logged in" in plain words, charges no message and logs no error', async () => {
    const budgetBefore = await messagesToday();
    stack.server.pushMessage(OWNER, `/missing ${firstJob}`);
    const missing = await sentWith(stack.server, 'Tap one');
    press(missing, /^5\. /);
    const detail = await sentWith(stack.server, 'State: not found');
    press(detail, /Pick from menu/);
    const refusal = await sentWith(stack.server, 'not logged in to Telegram yet');
    expect(refusal.text).toContain('so the bot’s menu cannot start');
    expect(buttonsOf(stack.server, refusal.messageId)).toEqual(['🔑 Log in']);
    expect(await messagesToday()).toBe(budgetBefore);
    expect(stack.bot.actions().filter((a) => a.kind === 'send')).toHaveLength(sentAfterFirstRun);
    expect(allTexts().join('\n')).not.toContain('Something went wrong');
    expect(running.stderr.text()).not.toMatch(/"level":50/);
  });

  it('/missing on a job never started lists no track as "not found"', async () => {
    const preview = nextSent('is ready');
    stack.server.pushMessage(OWNER, stack.playlistUrl);
    const jobId = Number(/Job #(\d+)/.exec((await preview).text)![1]);
    expect(jobId).not.toBe(firstJob);
    stack.server.pushMessage(OWNER, `/missing ${jobId}`);
    const reply = await sentWith(stack.server, `Job #${jobId} ${PLAYLIST_NAME}`);
    expect(reply.text).toContain('It was not started yet');
    expect(reply.text).not.toContain('not found');
    expect(reply.payload.reply_markup).toBeUndefined();
  });

  it('a cancelled job stays cancelled: its preview becomes the cancelled card and Start answers with the state', async () => {
    const from = stack.server.calls.length;
    const answer = nextSent('This link is already job #');
    stack.server.pushMessage(OWNER, stack.playlistUrl);
    const reply = await answer;
    const jobId = Number(/job #(\d+)/.exec(reply.text)![1]);
    const preview = stack.server.sentMessages((p) => String(p.text).includes(`Job #${jobId} is ready`))[0]!;
    const sentBefore = stack.server.sentMessages().length;
    stack.server.pushMessage(OWNER, `/cancel ${jobId}`);
    await sentWith(stack.server, `Cancelled #${jobId}.`);
    await stack.server.waitFor(() => stack.server.messageText(OWNER.id, preview.messageId)?.includes('✖️ cancelled'));
    expect(stack.server.sentMessages().length).toBe(sentBefore + 1); // the reply only: no second card

    stack.server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('start', jobId));
    await answered(`Job #${jobId} was cancelled. Send its link again to start over.`);
    stack.server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('resume', jobId));
    stack.server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('pause', jobId));
    await stack.server.waitFor(() => stack.server.callsOf('answerCallbackQuery').filter((c) => String(c.payload.text).startsWith(`Job #${jobId} was cancelled`)).length === 3);
    await stack.server.waitUntilIdle();
    expect(allTexts(from)).not.toContain('Started');
    expect(stack.server.messageText(OWNER.id, preview.messageId)).toContain('✖️ cancelled');
  });

  it('one card per job: a re-sent link points at the preview and is never overwritten; Retry on a ready job sends no card', async () => {
    const next = nextSent('is ready');
    stack.server.pushMessage(OWNER, stack.playlistUrl);
    const preview = (await next)!;
    const jobId = Number(/Job #(\d+)/.exec(preview.text)![1]);
    const answer = nextSent(`This link is already job #${jobId}`);
    stack.server.pushMessage(OWNER, stack.playlistUrl);
    const reply = (await answer)!;
    expect(reply.text).toBe(`This link is already job #${jobId}, ready: press Start on its message.`);
    expect(reply.payload.reply_parameters).toMatchObject({ message_id: preview.messageId });

    const sentBefore = stack.server.sentMessages().length;
    stack.server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('retryFailed', jobId));
    await answered('Nothing to retry');
    await new Promise((r) => setTimeout(r, 300));
    await stack.server.waitUntilIdle();
    expect(stack.server.sentMessages().length).toBe(sentBefore);
    expect(stack.server.callsOf('editMessageText').filter((c) => Number(c.payload.message_id) === reply.messageId)).toEqual([]);
    expect(stack.server.messageText(OWNER.id, preview.messageId)).toBe(preview.text);
  });

  it('speaks chat, not CLI: unknown jobs point at /jobs; nothing says `crate …`, "expired" or "something went wrong"', async () => {
    stack.server.pushMessage(OWNER, '/pause 99');
    const reply = await sentWith(stack.server, 'There is no job #99.');
    expect(reply.text).toBe('There is no job #99.\n/jobs lists your jobs.');
    stack.server.pushCallbackQuery(OWNER, 1, encodeCallback('start', 98));
    await answered('There is no job #98.');
    await stack.server.waitUntilIdle();
    const texts = allTexts().join('\n');
    for (const word of ['crate status', 'crate login', '`', 'expired', 'NO_SESSION', 'Something went wrong', 'stopped working']) {
      expect(texts, word).not.toContain(word);
    }
  });
});
