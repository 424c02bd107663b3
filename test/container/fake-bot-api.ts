/**
 * The fake Bot API server as a standalone process for the container test: prints its root URL on
 * stdout, answers on 127.0.0.1 until stdin closes or SIGTERM.
 *
 * The test talks to it through stdin, one command a line: `say TEXT` is the owner (id
 * CRATE_FAKE_OWNER_ID, default 424242) sending TEXT to the bot. Every message the bot sends
 * or edits is printed as a JSON line `{"botSaid": TEXT}`, so the script can wait for an answer.
 */
import { createInterface } from 'node:readline';
import { FakeBotApiServer } from '../fakes/fake-bot-api-server.js';

const server = new FakeBotApiServer();
const root = await server.start();
console.log(JSON.stringify({ apiRoot: root, token: server.token }));
const owner = { id: Number(process.env.CRATE_FAKE_OWNER_ID ?? 424242), first_name: 'Owner' };

let printed = 0;
const printNewReplies = (): void => {
  const replies = server.calls.filter((c) => (c.method === 'sendMessage' || c.method === 'editMessageText') && c.response?.ok);
  for (const call of replies.slice(printed)) console.log(JSON.stringify({ botSaid: String(call.payload.text ?? '') }));
  printed = replies.length;
};
const watcher = setInterval(printNewReplies, 100);

const stop = async (): Promise<void> => {
  clearInterval(watcher);
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const say = /^say (.+)$/.exec(line.trim());
  if (say) server.pushMessage(owner, say[1]!);
  else if (line.trim()) console.error(`fake Bot API: unknown command ${JSON.stringify(line)}`);
});
lines.on('close', () => void stop());
