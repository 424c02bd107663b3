/**
 * Issue 7, item 3: hostile input. Each case: a clear message, exit code or bot reply; never a
 * crash loop or a stack trace for the owner; files only ever inside the playlist folder under safe
 * names. Shared by test/chaos/input.test.ts and test/chaos/input.ts.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../../src/cli.js';
import { parseConfig } from '../../../src/config.js';
import type { BotMessage, TelegramGateway } from '../../../src/domain/telegram.js';
import { MAX_COMPONENT_BYTES } from '../../../src/library/sanitize.js';
import { isInside } from '../../../src/library/path-template.js';
import { silentLogger } from '../../../src/logger.js';
import { createSpotifySource } from '../../../src/spotify/playlist-source.js';
import { editorialId, fakeId, makeTracks, openUrl, startFakeSpotify, type FakeSpotify, type FakeTrack } from '../../fakes/fake-spotify-server.js';
import type { SimTrack } from '../../fakes/simulated-lossless/core.js';
import { check, expectClean, filesBelow } from './checks.js';
import type { ChaosCase } from './faults.js';
import { GatewayProxy, catalogue, createStack, type StackOptions } from './stack.js';

const FIXTURES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../fixtures/flac');

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function crate(argv: string[], env: Record<string, string>, cwd = '/tmp'): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await runCli(['node', 'crate', ...argv], { env: { LOG_LEVEL: 'silent', ...env }, stdout, stderr, cwd, shutdownSignal: AbortSignal.timeout(60_000) });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A user-facing failure: exit 2, one `crate: …` message, never a stack trace. */
function expectUserError(r: { code: number; stderr: string }, what: string, pattern?: RegExp): string {
  check(r.code === 2, `${what}: exit ${r.code} (stderr: ${r.stderr.slice(0, 200)})`);
  check(r.stderr.startsWith('crate: '), `${what}: stderr does not start with a message: ${r.stderr.slice(0, 200)}`);
  check(!/\n\s+at |unexpected error/.test(r.stderr), `${what}: a stack trace or an unexpected error: ${r.stderr.slice(0, 300)}`);
  if (pattern) check(pattern.test(r.stderr), `${what}: unclear message: ${r.stderr.slice(0, 300)}`);
  return r.stderr.split('\n')[0]!.slice(0, 140);
}

async function withSpotify<T>(fn: (fake: FakeSpotify) => Promise<T>, playlists: Parameters<typeof startFakeSpotify>[0] = {}): Promise<T> {
  const fake = await startFakeSpotify(playlists);
  try {
    return await fn(fake);
  } finally {
    await fake.close();
  }
}

const badLinks: ChaosCase = {
  name: 'non-Spotify and malformed links',
  run: () =>
    withSpotify(async (fake) => {
      const links = [
        'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
        'https://open.spotify.com/playlist/',
        'https://open.spotify.com/playlist/abc!!def',
        'https://open.spotify.com/artist/4tZwfgrHOc3mvqYlEYSvVi',
        'spotify:playlist:',
        'javascript:alert(1)',
        'file:///etc/passwd',
        'https://open.spotify.com.evil.example/playlist/37i9dQZF1DXcBWIGoYBM5M',
        `https://open.spotify.com/playlist/${'A'.repeat(10_000)}`,
        'https://open.spotify.com/playlist/\u0000\u202e',
        '💿',
      ];
      const env = { ...fake.env({ withApp: false }), CRATE_DATA_DIR: '/tmp/crate-chaos-input-data' };
      const first: string[] = [];
      for (const link of links) {
        for (const extra of [['--dry-run'], ['--dry-run', '--json'], ['--check-missing']]) {
          const r = await crate(['download', link, ...extra], env);
          first.push(expectUserError(r, `download ${JSON.stringify(link.slice(0, 40))} ${extra.join(' ')}`));
          check(extra[1] !== '--json' || r.stdout === '', '--json printed something on a refused link');
        }
      }
      check(fake.requests.filter((q) => !q.path.startsWith('/embed')).length === 0, 'a malformed link reached the Spotify API');
      return { detail: `${links.length} links × 3 modes: exit 2 each, e.g. "${first[0]}"` };
    }),
};

const privateOrDeleted: ChaosCase = {
  name: 'private, deleted and editorial playlists',
  run: async () => {
    const priv = fakeId('pl:private');
    return withSpotify(
      async (fake) => {
        const said: string[] = [];
        for (const [what, id, withApp] of [
          ['private (no app)', priv, false],
          ['private (app)', priv, true],
          ['deleted (no app)', fakeId('pl:deleted'), false],
          ['deleted (app)', fakeId('pl:deleted'), true],
          ['editorial', editorialId('pl:editorial'), true],
        ] as const) {
          const env = { ...fake.env({ withApp }), CRATE_DATA_DIR: '/tmp/crate-chaos-input-data' };
          const r = await crate(['download', openUrl('playlist', id), '--dry-run'], env);
          said.push(`${what}: ${expectUserError(r, what, /private|not found|does not exist|deleted|cannot be read|Spotify's own|editorial|no longer/i)}`);
        }
        return { detail: said.join(' | ') };
      },
      { playlists: [{ id: priv, name: 'Secret Set', ownerId: 'someone', public: false, rows: makeTracks(3, { prefix: 'Priv' }) }] },
    );
  },
};

const hugePlaylist: ChaosCase = {
  name: '10,000-track playlist (dry run and job creation)',
  run: async () => {
    const id = fakeId('pl:huge');
    const rows = makeTracks(10_000, { prefix: 'Huge' });
    return withSpotify(
      async (fake) => {
        const refresh = fake.issueRefreshToken('owner');
        const env = { ...fake.env(), SPOTIFY_REFRESH_TOKEN: refresh, CRATE_DATA_DIR: '/tmp/crate-chaos-input-data' };
        global.gc?.();
        const rss0 = process.memoryUsage().rss;
        const t0 = Date.now();
        const r = await crate(['download', openUrl('playlist', id), '--dry-run', '--json'], env);
        const dryMs = Date.now() - t0;
        check(r.code === 0, `dry run exit ${r.code}: ${r.stderr.slice(0, 200)}`);
        const doc = JSON.parse(r.stdout) as { tracks: unknown[]; source: { total: number } };
        check(doc.tracks.length === 10_000 && doc.source.total === 10_000, `dry run listed ${doc.tracks.length} of ${doc.source.total}`);
        const pages = fake.requestsTo('/v1/playlists/').length;
        check(pages >= 200 && pages <= 210, `${pages} requests for 10,000 rows (pages of 50 expected)`);

        // Job creation through the engine (the real Spotify source): 10,000 track rows in SQLite.
        const source = createSpotifySource(parseConfig(env), { logger: silentLogger() });
        const s = createStack({ tracks: [], source });
        try {
          const t1 = Date.now();
          const job = await s.service.createJob(openUrl('playlist', id), {});
          const createMs = Date.now() - t1;
          check(job.total === 10_000 && s.tracks(job.id).length === 10_000, `job has ${s.tracks(job.id).length} tracks`);
          const p = s.service.progress(job.id);
          check(p.counts.queued === 10_000, 'progress of a 10,000-track job is wrong');
          const rssMb = (process.memoryUsage().rss - rss0) / 1024 / 1024;
          check(dryMs < 30_000 && createMs < 30_000, `too slow: dry run ${dryMs} ms, job ${createMs} ms`);
          check(rssMb < 400, `memory grew by ${rssMb.toFixed(0)} MB`);
          return { detail: `dry run ${(dryMs / 1000).toFixed(1)} s over ${pages} pages, job with 10,000 tracks in ${(createMs / 1000).toFixed(1)} s, RSS +${rssMb.toFixed(0)} MB` };
        } finally {
          s.close();
          s.dispose();
        }
      },
      { playlists: [{ id, name: 'Everything', ownerId: 'owner', rows: rows as FakeTrack[] }] },
    );
  },
};

/** Names that try to escape, break or disguise (with the simulated bot serving files tagged the same). */
const HOSTILE_TITLES = [
  'AC/DC Back In Black / Live',
  '../../../../etc/passwd',
  'Nul\u0000Byte Song',
  'CON',
  'aux.flac',
  'x'.repeat(400),
  '漢字'.repeat(70),
  '\u200fשלום עולם\u200f',
  'Dance 💃🏽🔥 Floor 👨‍👩‍👧',
  'evil\u202eclaf.exe',
  '   ...   ',
  'Title: Subtitle? <Remix> | "Quoted" *',
];

const hostileNames: ChaosCase = {
  name: 'titles with /, .., NUL, reserved names, 400-byte names, RTL marks, emoji',
  run: async () => {
    const tracks: SimTrack[] = HOSTILE_TITLES.map((title, i) => ({
      id: `h${i + 1}`,
      spotifyId: `Hostile${String(i + 1).padStart(15, '0')}`,
      artists: [i % 2 ? `Artist ${String.fromCharCode(65 + i)}/Sub` : `Артист ${i + 10}`],
      title,
      durationSec: 200 + i * 11,
    }));
    const s = createStack({ tracks, playlistName: '../../Hostile\u0000 Set/..', env: { BATCH_SIZE: '6' } });
    try {
      const job = await s.download();
      check(job.status === 'done', `job ${job.status}`);
      const all = filesBelow(s.music);
      const root = path.join(s.music, path.basename(path.dirname(s.tracks(job.id)[0]?.filePath ?? s.music)));
      check(!root.includes('..') && isInside(s.music, path.join(root, 'x')), `playlist folder escaped: ${root}`);
      const done = s.tracks(job.id).filter((t) => t.state === 'done');
      for (const t of s.tracks(job.id)) {
        if (!t.filePath) continue;
        check(isInside(root, t.filePath), `#${t.position} landed outside the playlist folder: ${t.filePath}`);
      }
      for (const f of all) {
        for (const part of f.split(path.sep)) {
          check(Buffer.byteLength(part) <= MAX_COMPONENT_BYTES, `name longer than 255 bytes: ${part.slice(0, 40)}…`);
          // eslint-disable-next-line no-control-regex
          check(!/[\u0000-\u001f\u202a-\u202e]/.test(part), `control or bidi override character in ${JSON.stringify(part)}`);
          check(!/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(part), `reserved Windows name ${part}`);
          check(part !== '..' && part !== '.' && !/[<>:"|?*\\]/.test(part), `unsafe name ${JSON.stringify(part)}`);
        }
      }
      const notDone = s.tracks(job.id).filter((t) => t.state !== 'done');
      for (const t of notDone) check(t.lastError, `#${t.position} is ${t.state} without a reason`);
      check(done.length >= tracks.length - 1, `only ${done.length} of ${tracks.length} hostile titles were stored`);
      return {
        detail: `${done.length}/${tracks.length} stored, all inside "${path.relative(s.music, root)}", every name ≤ 255 bytes and safe${notDone.length ? `; not done: ${notDone.map((t) => `#${t.position} ${t.state} (${t.lastError})`).join(', ')}` : ''}`,
      };
    } finally {
      s.close();
      s.dispose();
    }
  },
};

/** Replaces what the bot served for some tracks with a broken file (as if the bot's copy were broken). */
class BrokenFiles extends GatewayProxy {
  constructor(
    inner: TelegramGateway,
    private readonly broken: Record<string, string>,
  ) {
    super(inner);
  }
  override async downloadDocument(messageId: number, targetPath: string, o?: Parameters<TelegramGateway['downloadDocument']>[2]) {
    const result = await this.inner.downloadDocument(messageId, targetPath, o);
    const [m] = await this.inner.getMessages([messageId]);
    const fixture = m?.document?.title ? this.broken[m.document.title] : undefined;
    if (fixture) copyFileSync(path.join(FIXTURES, fixture), result.path);
    return result;
  }
}

const brokenFlac: ChaosCase = {
  name: 'malformed and truncated FLAC from the bot',
  run: async () => {
    const tracks = catalogue(4);
    const s = createStack({
      tracks,
      wrap: (g) => new BrokenFiles(g, { [tracks[1]!.title]: 'truncated.flac', [tracks[2]!.title]: 'not-flac.flac' }),
    });
    try {
      const job = await s.download();
      check(job.status === 'done', `job ${job.status}`);
      await expectClean(s.music, s.tracks(job.id), s.bot, { folder: 'Chaos Set', notDone: [2, 3] });
      const [, t2, t3] = s.tracks(job.id);
      check(t2!.state === 'mismatch' && /incomplete FLAC|truncated/i.test(t2!.lastError ?? ''), `truncated: ${t2!.state} ${t2!.lastError}`);
      check(t3!.state === 'mismatch' && /not a FLAC/i.test(t3!.lastError ?? ''), `not FLAC: ${t3!.state} ${t3!.lastError}`);
      for (const t of [t2!, t3!]) {
        check(t.quarantinePath !== null && t.quarantinePath.includes(`${path.sep}_quarantine${path.sep}`), `#${t.position} not quarantined: ${t.quarantinePath}`);
        check(readFileSync(t.quarantinePath).length > 0, 'quarantined file is empty');
      }
      return { detail: `both quarantined, never named as the track: "${t2!.lastError}" / "${t3!.lastError}"` };
    } finally {
      s.close();
      s.dispose();
    }
  },
};

class CountDownloads extends GatewayProxy {
  downloads = 0;
  override downloadDocument(messageId: number, targetPath: string, o?: Parameters<TelegramGateway['downloadDocument']>[2]) {
    this.downloads++;
    return this.inner.downloadDocument(messageId, targetPath, o);
  }
}

const hugeNonAudio: ChaosCase = {
  name: 'a huge non-audio document',
  run: async () => {
    const tracks = catalogue(4);
    const victims = new Map<string, Partial<BotMessage['document']>>([
      [tracks[1]!.title, { mimeType: 'application/zip', fileName: `${tracks[1]!.title}.zip`, size: 3_500_000_000 }],
      [tracks[2]!.title, { mimeType: 'audio/flac', fileName: `${tracks[2]!.title}.flac`, size: 5_000_000_000 }],
      [tracks[3]!.title, { mimeType: 'application/octet-stream', fileName: `${tracks[3]!.title}.exe`, size: 40_000_000 }],
    ]);
    const rewriteEvent = (m: BotMessage): BotMessage => {
      const patch = m.document?.title ? victims.get(m.document.title) : undefined;
      return patch && m.document ? { ...m, document: { ...m.document, ...patch } } : m;
    };
    let counter!: CountDownloads;
    const options: StackOptions = { tracks, gateway: { rewriteEvent }, wrap: (g) => (counter = new CountDownloads(g)) };
    const s = createStack({ ...options, pollIntervalMs: 0 });
    try {
      const job = await s.download();
      check(job.status === 'done', `job ${job.status}`);
      await expectClean(s.music, s.tracks(job.id), s.bot, { folder: 'Chaos Set', notDone: [2, 3, 4] });
      const refused = s.tracks(job.id).slice(1);
      for (const t of refused) {
        check(t.state === 'mismatch' && /not downloaded/.test(t.lastError ?? ''), `#${t.position}: ${t.state} ${t.lastError}`);
        check(t.quarantinePath === null, `#${t.position} was downloaded into quarantine`);
      }
      const downloads = counter.downloads;
      check(downloads === 1, `${downloads} downloads: a refused document was fetched`);
      return { detail: `3 refused before any byte: ${refused.map((t) => `"${t.lastError}"`).join(' / ')}` };
    } finally {
      s.close();
      s.dispose();
    }
  },
};

/** A bad value for every setting (and one command each that reads it). */
export const BAD_SETTINGS: Record<string, string> = {
  TELEGRAM_BOT_TOKEN: 'not-a-token',
  TELEGRAM_OWNER_ID: '@me',
  TELEGRAM_BOT_API_ROOT: 'ftp://api.telegram.org',
  TELEGRAM_API_ID: 'twelve',
  TELEGRAM_API_HASH: 'xyz',
  TELEGRAM_PHONE_NUMBER: 'call me maybe',
  EXTERNAL_BOT_USERNAME: '@@',
  SPOTIFY_CLIENT_ID: 'pasted with spaces',
  SPOTIFY_CLIENT_SECRET: 'sec ret',
  SPOTIFY_REFRESH_TOKEN: 'tok\u00e9n',
  SPOTIFY_REDIRECT_URI: 'not a url',
  SPOTIFY_API_URL: 'api.spotify.com',
  SPOTIFY_ACCOUNTS_URL: 'javascript:alert(1)',
  SPOTIFY_WEB_URL: '//open.spotify.com',
  CRATE_DATA_DIR: 'data\u0000dir',
  DOWNLOAD_FOLDER: 'music\u0007',
  DELAY_BETWEEN_REQUESTS: 'fast',
  MAX_RETRIES: '-1',
  RESPONSE_TIMEOUT: '1',
  BATCH_SIZE: '0',
  DAILY_MESSAGE_BUDGET: '1e9',
  DOWNLOAD_PARALLEL_PARTS: '99',
  LOSSLESS_QUALITY: 'low',
  LOSSLESS_MODE: 'carrier pigeon',
  FILE_TEMPLATE: '{genre} - {title}',
  ORGANIZE_BY: 'mood',
  LOG_LEVEL: 'loud',
};

/** Every command that reads settings (`debug match` reads none: it is a pure matcher tool). */
export const SETTING_COMMANDS = [
  ['download', 'https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M', '--dry-run'],
  ['download', 'https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M'],
  ['missing', 'https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M'],
  ['status'],
  ['report'],
  ['reset'],
  ['login'],
  ['spotify-login'],
  ['serve'],
  ['doctor'],
];

const badSettings: ChaosCase = {
  name: 'a bad value in every setting, for every command',
  run: async () => {
    let runs = 0;
    for (const [key, value] of Object.entries(BAD_SETTINGS)) {
      for (const argv of SETTING_COMMANDS) {
        const env = { CRATE_DATA_DIR: '/tmp/crate-chaos-settings', [key]: value };
        const r = await crate(argv, env);
        expectUserError(r, `${argv[0]} with ${key}=${JSON.stringify(value)}`);
        check(r.stderr.includes(`  ${key}: `), `${argv[0]} with a bad ${key}: the setting is not named: ${r.stderr.slice(0, 200)}`);
        runs++;
      }
    }
    const sample = await crate(['status'], { BATCH_SIZE: '0' });
    return { detail: `${Object.keys(BAD_SETTINGS).length} settings × ${SETTING_COMMANDS.length} commands = ${runs} runs, exit 2 naming the setting, e.g. "${sample.stderr.split('\n').slice(0, 2).join(' ').trim()}"` };
  },
};

export const INPUT_CASES: ChaosCase[] = [badLinks, privateOrDeleted, hugePlaylist, hostileNames, brokenFlac, hugeNonAudio, badSettings];
