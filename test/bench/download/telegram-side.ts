/**
 * The fake Telegram of the download bench, in a process of its own: the fake MTProto network
 * (with the link model: round trip, bandwidth per connection, order), the simulated bot and its
 * account, reached over loopback TCP. Its memory is not Crate's, so it is not in the figures.
 *
 * Env (from download.ts): CRATE_BENCH_DOWNLOAD_BYTES, CRATE_BENCH_RTT_MS, CRATE_BENCH_BANDWIDTH_MBPS.
 */
import { DC_IPS, FakeTelegramNetwork } from '../../fakes/mtproto/fake-network.js';
import { serveOverTcp } from '../../fakes/mtproto/tcp-tunnel-server.js';
import { SimulatedLosslessBot } from '../../fakes/simulated-lossless/core.js';
import { simulateAccount } from '../../fakes/simulated-lossless/simulated-account.js';
import type { TelegramSideCommand, TelegramSideReply } from './protocol.js';

const MB = 1024 * 1024;
const BOT = 'LosslessRobot';

const send = (reply: TelegramSideReply) => process.send!(reply);

const bytes = Number(process.env.CRATE_BENCH_DOWNLOAD_BYTES);
const network = new FakeTelegramNetwork({
  latencyMs: Number(process.env.CRATE_BENCH_RTT_MS),
  bandwidthBytesPerSec: Number(process.env.CRATE_BENCH_BANDWIDTH_MBPS) * MB,
});
const bot = new SimulatedLosslessBot({
  catalogue: [{ id: 'big', artists: ['Bench'], title: 'Large File', durationSec: 600, bytes }],
  latencyMs: { reply: [0, 0], file: [0, 0] },
  seed: 1,
});
const account = simulateAccount(bot, network, { botUsername: BOT });
const session = network.sessionSync();
await session.load(); // the key, for save() and for the network to recognise it
const tunnel = await serveOverTcp(network, Object.values(DC_IPS));

process.on('message', (command: TelegramSideCommand) => {
  if (command.type === 'deliver') {
    bot.sendFileFor('big');
    const poll = setInterval(() => {
      const delivery = bot.deliveries()[0];
      if (!delivery) return;
      clearInterval(poll);
      send({ type: 'delivered', messageId: delivery.messageId, size: bot.document(delivery.documentId)!.facts.size });
    }, 5);
  }
  if (command.type === 'stats') {
    const lastPartBytes = account.requests.filter((r) => r.className === 'upload.GetFile').at(-1)?.limit ?? 0;
    send({ type: 'stats', lastPartBytes });
  }
});
// The bench is done (or gone): stop serving.
process.on('disconnect', () => {
  account.close();
  bot.close();
  void tunnel.close().then(() => process.exit(0));
});

send({ type: 'listening', ports: tunnel.ports, session: session.save(), botUsername: BOT });
