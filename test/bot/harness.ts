/** Starts the real bot (real polling) against the fake Bot API server and the fake job service. */
import { Writable } from 'node:stream';
import { parseConfig, secretValues, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createBot, type CreateBotOptions, type CrateBot } from '../../src/bot/create-bot.js';
import { runBot, type RunningBot } from '../../src/bot/run-bot.js';
import { FakeBotApiServer, type FakeUser } from '../fakes/fake-bot-api-server.js';
import { FakeJobService, makeListing, type FakeJobServiceOptions } from '../fakes/fake-job-service.js';
import { FakeSettingsStore, FakeSpotifyLogin, FakeTelegramLoginFlow } from '../fakes/fake-bot-ports.js';

export const OWNER: FakeUser = { id: 424242, first_name: 'Owner' };
export const STRANGER: FakeUser = { id: 666, first_name: 'Mallory', username: 'mallory' };
export const PLAYLIST_LINK = 'https://open.spotify.com/playlist/37DummyPlaylistId00001?si=abc';
export const SECRETS = {
  apiHash: '0123456789abcdef0123456789abcdef',
  phone: '+441234567890',
  refreshToken: 'AQDrefreshTOKENsecretValue1234567890',
  clientSecret: 'spotifyClientSecretValue99',
  code: '24680',
  password: 'correct-horse-battery-9',
};

export interface Harness {
  server: FakeBotApiServer;
  service: FakeJobService;
  login: FakeTelegramLoginFlow;
  spotify: FakeSpotifyLogin;
  settings: FakeSettingsStore;
  config: Config;
  crate: CrateBot;
  running: RunningBot;
  logs: string[];
  stop(): Promise<void>;
}

export async function startHarness(
  options: { service?: Partial<FakeJobServiceOptions>; bot?: Partial<CreateBotOptions> } = {},
): Promise<Harness> {
  const server = new FakeBotApiServer();
  const apiRoot = await server.start();
  const config = parseConfig({
    TELEGRAM_BOT_TOKEN: server.token,
    TELEGRAM_OWNER_ID: String(OWNER.id),
    TELEGRAM_API_ID: '12345',
    TELEGRAM_API_HASH: SECRETS.apiHash,
    TELEGRAM_PHONE_NUMBER: SECRETS.phone,
    SPOTIFY_CLIENT_ID: 'client-id',
    SPOTIFY_CLIENT_SECRET: SECRETS.clientSecret,
    SPOTIFY_REFRESH_TOKEN: SECRETS.refreshToken,
    LOG_LEVEL: 'trace',
  });
  const logs: string[] = [];
  const logger = createLogger({
    level: 'trace',
    secrets: secretValues(config),
    pretty: false,
    destination: new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  const service = new FakeJobService({
    listings: {
      [PLAYLIST_LINK]: makeListing('Summer Mix', 6, { total: 6, backend: 'user' }),
      'https://open.spotify.com/playlist/37EmbedCut000000000002': makeListing('Big Public List', 100, { total: 150, backend: 'embed' }, ['embed page: first 100 of 150']),
    },
    tickMs: 5,
    ...options.service,
  });
  const login = new FakeTelegramLoginFlow({ phone: SECRETS.phone, code: SECRETS.code, password: SECRETS.password });
  const spotify = new FakeSpotifyLogin();
  const settings = new FakeSettingsStore();
  const crate = createBot(server.token, {
    config,
    logger,
    service,
    login,
    spotify,
    settings,
    apiRoot,
    progressIntervalMs: 40,
    ...options.bot,
  });
  const running = (await runBot(crate, { logger }))!;
  return {
    server,
    service,
    login,
    spotify,
    settings,
    config,
    crate,
    running,
    logs,
    async stop() {
      await running.stop();
      await service.shutdown();
      await server.close();
    },
  };
}

/** The text sent or edited last into the message, from the recorded calls. */
export function lastTextOf(server: FakeBotApiServer, messageId: number): string | undefined {
  return server.messageText(OWNER.id, messageId);
}
