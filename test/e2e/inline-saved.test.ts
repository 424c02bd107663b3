/**
 * Issue 11 item 4: inline mode with the chosen result sent to Saved Messages (INLINE_SEND_TO=saved).
 *
 * `crate download LINK` through the composition root, the real GramjsGateway on a real GramJS
 * client over the fake MTProto network; the simulated @LosslessRobot answers the inline queries,
 * the chosen results land in the owner's Saved Messages (peer self) and the bot edits them there
 * into the document, as Telegram routes an inline message's edits to wherever it was sent.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Api } from 'telegram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { scaledClock } from '../../src/engine/clock.js';
import type { Wiring } from '../../src/main.js';
import { GramjsGateway } from '../../src/telegram/gramjs-gateway.js';
import { fakeId, startFakeSpotify, type FakeSpotify, type FakeTrack } from '../fakes/fake-spotify-server.js';
import { SimulatedLosslessBot, type SimTrack } from '../fakes/simulated-lossless/core.js';
import { createSimulatedTelegramClient, type SimulatedTelegramClient } from '../fakes/simulated-lossless/gramjs-adapter.js';
import { scaledScheduler, Sink } from './rig.js';

const FACTOR = 0.1;
const PLAYLIST = fakeId('inline-saved:playlist');

const TRACKS: { artists: string[]; title: string; durationSec: number; inline: SimTrack['inline'] }[] = [
  { artists: ['Kerri Chandler'], title: 'Rain', durationSec: 412, inline: 'deferred' },
  { artists: ['Larry Heard'], title: 'Can You Feel It', durationSec: 321, inline: 'pending-document' },
  { artists: ['Robin S'], title: 'Show Me Love', durationSec: 262, inline: 'pending-text' },
];

let dir: string;
let bot: SimulatedLosslessBot;
let spotify: FakeSpotify;
const clients: SimulatedTelegramClient[] = [];
/** Every SendInlineBotResult request as GramJS put it on the wire (its peer says where it went). */
const inlineSends: Api.messages.SendInlineBotResult[] = [];
let run: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'crate-inline-saved-'));
  const clock = scaledClock(FACTOR);
  const spotifyTracks: FakeTrack[] = TRACKS.map((t, i) => ({
    id: fakeId(`inline-saved:track:${i}`),
    name: t.title,
    artists: t.artists,
    album: { id: fakeId(`inline-saved:album:${i}`), name: `${t.artists[0]} Album`, releaseDate: '1999-05-17' },
    durationMs: t.durationSec * 1000 + 300,
    isrc: `QZSAV26${String(i).padStart(5, '0')}`,
  }));
  bot = new SimulatedLosslessBot({
    catalogue: TRACKS.map((t, i) => ({
      id: `t${i}`,
      spotifyId: spotifyTracks[i]!.id,
      artists: t.artists,
      title: t.title,
      durationSec: t.durationSec,
      inline: t.inline,
      bytes: 300_000 + i * 10_000,
    })),
    clock: scaledScheduler(clock, FACTOR),
    latencyMs: { reply: [300, 1200], file: [1000, 6000] },
    seed: 11,
  });
  spotify = await startFakeSpotify({
    playlists: [{ id: PLAYLIST, name: 'Saved Mode', ownerId: 'owner', ownerName: 'DJ Owner', rows: spotifyTracks }],
  });
  const wiring: Wiring = {
    clock,
    createGateway: async (config, logger, deps) => {
      const client = createSimulatedTelegramClient(bot, {
        botUsername: 'LosslessRobot',
        latencyMs: 0,
        handlers: {
          'messages.SendInlineBotResult': (request: Api.messages.SendInlineBotResult) => {
            inlineSends.push(request);
            return undefined; // the simulator answers it
          },
        },
      });
      clients.push(client);
      // Built as src/telegram/create-client.ts builds it from the settings.
      return new GramjsGateway(client, {
        botUsername: config.telegram.externalBot,
        logger,
        inlineSendTo: config.inlineSendTo,
        polling: { activeIntervalMs: 400, idleIntervalMs: 2_000 },
        ...(deps ? { botPeers: deps.botPeers, flood: deps.flood } : {}),
      });
    },
  };
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(['node', 'crate', 'download', `https://open.spotify.com/playlist/${PLAYLIST}`], {
    env: {
      ...spotify.env(),
      SPOTIFY_REFRESH_TOKEN: spotify.issueRefreshToken('owner', 'DJ Owner'),
      TELEGRAM_API_ID: '12345',
      TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
      CRATE_DATA_DIR: 'data',
      DOWNLOAD_FOLDER: 'downloads',
      LOSSLESS_MODE: 'inline',
      INLINE_SEND_TO: 'saved',
      DELAY_BETWEEN_REQUESTS: '2',
      RESPONSE_TIMEOUT: '60',
      TAGS: 'keep',
      LOG_LEVEL: 'warn',
    },
    cwd: dir,
    stdout,
    stderr,
    shutdownSignal: new AbortController().signal,
    wiring,
  });
  run = { code, stdout: stdout.text, stderr: stderr.text };
}, 120_000);

afterAll(async () => {
  bot?.close();
  for (const c of clients) c.sim.close();
  await spotify?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('inline mode, INLINE_SEND_TO=saved', () => {
  it('downloads every track, each file the one the bot put into Saved Messages for it', () => {
    expect(run.stderr, run.stdout).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Saved Mode: 3 done in \d+s$/m);
    const deliveries = bot.deliveries();
    expect(deliveries).toHaveLength(TRACKS.length);
    for (const [i, t] of TRACKS.entries()) {
      const delivery = deliveries.find((d) => d.trackId === `t${i}`)!;
      expect(delivery.kind).toBe('inline');
      // The document arrived as an edit of our message in Saved Messages.
      expect(bot.chatOf(delivery.messageId)).toBe('saved');
      const file = path.join(dir, 'downloads', 'Saved Mode', `${t.artists.join(', ')} - ${t.title}.flac`);
      const bytes = readFileSync(file);
      const served = bot.documentBytes(delivery.documentId, 0, bot.document(delivery.documentId)!.facts.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(served).digest('hex'));
    }
  });

  it('sends nothing into the bot chat but the one-time /start: every chosen result went to peer self', () => {
    const ours = bot.history({ minId: 0, limit: 1000 }).filter((m) => m.out);
    expect(ours.map((m) => m.text)).toEqual(['/start']);
    expect(inlineSends).toHaveLength(TRACKS.length);
    for (const send of inlineSends) expect(send.peer).toBeInstanceOf(Api.InputPeerSelf);
    const saved = bot.savedMessages();
    expect(saved).toHaveLength(TRACKS.length);
    expect(saved.every((m) => m.out && m.media === 'document' && m.buttons.length === 0)).toBe(true);
    // The bot chat holds only the greeting besides: no document went there.
    expect(bot.history({ minId: 0, limit: 1000 }).filter((m) => m.media === 'document')).toEqual([]);
  });
});
