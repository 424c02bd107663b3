import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../src/domain/errors.js';
import { fakeId, makeTracks, openUrl, startFakeSpotify, type FakeSpotify } from '../fakes/fake-spotify-server.js';
import { configFor, sourceFor, tmpDir } from './support.js';

const rows = makeTracks(6, { prefix: 'Snap' });
const IDS = { mine: fakeId('snap:mine'), theirs: fakeId('snap:theirs') };

let fake: FakeSpotify;
let ownerToken: string;
const tmp = tmpDir();

beforeAll(async () => {
  fake = await startFakeSpotify({
    playlists: [
      { id: IDS.mine, name: 'Mine', ownerId: 'owner', rows: rows.slice(0, 4) },
      { id: IDS.theirs, name: 'Theirs', ownerId: 'dj-friend', rows },
    ],
  });
  ownerToken = fake.issueRefreshToken('owner', 'Owner');
});

afterAll(async () => {
  await fake.close();
  tmp.cleanup();
});

describe('playlist snapshot probe (playlist watch)', () => {
  it("reads the owner's playlist's snapshot_id in one request, and it changes when the rows do", async () => {
    const { source } = sourceFor(configFor(fake, `${tmp.dir}/a`, { SPOTIFY_REFRESH_TOKEN: ownerToken }));
    const link = openUrl('playlist', IDS.mine);
    const first = await source.snapshot(link);
    expect(first).toMatch(/^spotify:.+/);
    const before = fake.requestsTo(`/v1/playlists/${IDS.mine}`).length;
    expect(await source.snapshot(link)).toBe(first);
    const asked = fake.requestsTo(`/v1/playlists/${IDS.mine}`).slice(before);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.query.fields).toBe('snapshot_id,items(total)');
    fake.setRows(IDS.mine, rows.slice(0, 5));
    const second = await source.snapshot(link);
    expect(second).not.toBe(first);
    expect(second).toMatch(/^spotify:/);
  });

  it("gives null for someone else's playlist (its tracks come from the public page) and without a login", async () => {
    const withLogin = sourceFor(configFor(fake, `${tmp.dir}/b`, { SPOTIFY_REFRESH_TOKEN: ownerToken })).source;
    expect(await withLogin.snapshot(openUrl('playlist', IDS.theirs))).toBeNull();
    const noLogin = sourceFor(configFor(fake, `${tmp.dir}/c`)).source;
    const before = fake.requests.length;
    expect(await noLogin.snapshot(openUrl('playlist', IDS.mine))).toBeNull();
    expect(fake.requests.length).toBe(before);
    expect(await withLogin.snapshot(openUrl('playlist', fakeId('snap:unknown')))).toBeNull();
  });

  it('throws a quota 429 (the watch postpones its next check after Retry-After)', async () => {
    const { source } = sourceFor(configFor(fake, `${tmp.dir}/d`, { SPOTIFY_REFRESH_TOKEN: ownerToken }), { maxWaitSeconds: 10 });
    const link = openUrl('playlist', IDS.mine);
    await source.snapshot(link); // the token is fetched; the next request is the probe itself
    fake.rateLimitNext({ retryAfterSeconds: 7200, quota: true, pathPrefix: '/v1/playlists/' });
    const err = await source.snapshot(link).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).cause).toBeInstanceOf(RateLimitedError);
    expect(((err as Error).cause as RateLimitedError).retryAfterSeconds).toBe(7200);
  });
});
