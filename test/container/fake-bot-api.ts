/**
 * The fake Bot API server as a standalone process for the container test: prints its root URL on
 * stdout, answers on 127.0.0.1 until stdin closes or SIGTERM.
 */
import { FakeBotApiServer } from '../fakes/fake-bot-api-server.js';

const server = new FakeBotApiServer();
const root = await server.start();
console.log(JSON.stringify({ apiRoot: root, token: server.token }));
const stop = async (): Promise<void> => {
  await server.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
