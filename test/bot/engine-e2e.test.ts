/**
 * The bot on ENGINE's real JobService (real SQLite job store, real pacer, scripted acquirer on a
 * virtual clock driven forward while the bot polls the fake Bot API server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCallback } from '../../src/bot/callback-data.js';
import { createBot } from '../../src/bot/create-bot.js';
import { runBot, type RunningBot } from '../../src/bot/run-bot.js';
import { parseConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createHarness, LINK, removeDir, type Harness } from '../engine/harness.js';
import { FakeBotApiServer } from '../fakes/fake-bot-api-server.js';
import { FakeSettingsStore, FakeSpotifyLogin, FakeTelegramLoginFlow } from '../fakes/fake-bot-ports.js';

const OWNER = { id: 31337, first_name: 'Owner' };
let server: FakeBotApiServer;
let engine: Harness;
let running: RunningBot;
let driving = true;
let driver: Promise<void>;

beforeAll(async () => {
  server = new FakeBotApiServer();
  const apiRoot = await server.start();
  engine = createHarness({
    tracks: 5,
    acquirer: { latencyMs: 4000, script: (t) => (t.position === 2 ? { kind: 'not_found', reason: 'no row matched' } : undefined) },
  });
  const config = parseConfig({ TELEGRAM_BOT_TOKEN: server.token, TELEGRAM_OWNER_ID: String(OWNER.id) });
  const crate = createBot(server.token, {
    config,
    logger: silentLogger(),
    service: engine.service,
    login: new FakeTelegramLoginFlow({ phone: '+15550001111', code: '11111', password: null }),
    spotify: new FakeSpotifyLogin(),
    settings: new FakeSettingsStore({ quality: 'high', messageGapSeconds: 3, batchSize: 4 }),
    apiRoot,
    progressIntervalMs: 30,
  });
  running = (await runBot(crate, { logger: silentLogger() }))!;
  // Virtual time moves on while real time passes for the bot and the HTTP server.
  driver = (async () => {
    while (driving) {
      await engine.clock.advance(1000);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
});

afterAll(async () => {
  await running.stop();
  await engine.service.shutdown();
  driving = false;
  await driver;
  engine.close();
  removeDir(engine.dir);
  await server.close();
});

describe('control bot on the real JobService', () => {
  it('link → Start → edited progress → completion notice with the engine’s counts', async () => {
    server.pushMessage(OWNER, LINK);
    const preview = await server.waitFor(() => server.sentMessages((p) => String(p.text).includes('is ready'))[0]);
    expect(preview.text).toContain('5 tracks');
    const jobId = engine.service.listJobs()[0]!.id;

    server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('start', jobId));
    const notice = await server.waitFor(() => server.sentMessages((p) => String(p.text).startsWith('✅ Finished'))[0], 15_000);
    expect(notice.text).toContain('Found 4 of 5');
    expect(notice.text).toContain('Not found: 1 · Mismatch: 0\nFailed: 0');
    await server.waitFor(() => server.messageText(OWNER.id, preview.messageId)?.includes('(5/5)'));
    expect(server.callsOf('editMessageText').filter((c) => c.payload.message_id === preview.messageId).length).toBeGreaterThan(1);

    server.pushMessage(OWNER, '/missing');
    const missing = await server.waitFor(() => server.sentMessages((p) => String(p.text).includes('Tap one'))[0]);
    expect(missing.text).toContain('❔ 2. Title 2 – Artist 2');
  });
});
