import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpCoverSource } from '../../../src/library/tags/cover-source.js';
import { largestImageUrl } from '../../../src/spotify/map-track.js';
import { makeAlbum, makeTracks, startFakeSpotify, type FakeSpotify } from '../../fakes/fake-spotify-server.js';
import { cover640, coverPng } from './support.js';

describe('HttpCoverSource', () => {
  let dir: string;
  let spotify: FakeSpotify;
  let other: Server;
  let otherUrl: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-covers-'));
    const album = makeAlbum('ALBUM1', 'Rain', ['Kerri Chandler'], makeTracks(2, { prefix: 'Kerri' }));
    spotify = await startFakeSpotify({ albums: [album], covers: { ALBUM1: { body: cover640() } } });
    // Misbehaving image hosts: HTML instead of an image, an endless body, silence, a PNG that says it is one.
    other = createServer((req, res) => {
      if (req.url === '/html') {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html>not an image</html>');
      } else if (req.url === '/lying') {
        res.writeHead(200, { 'Content-Type': 'image/jpeg' });
        res.end(Buffer.from('GIF89a not a jpeg at all'));
      } else if (req.url === '/huge') {
        res.writeHead(200, { 'Content-Type': 'image/jpeg' });
        const chunk = Buffer.concat([cover640(), Buffer.alloc(1 << 16)]);
        const pump = () => {
          while (res.write(chunk)) {
            /* keep writing until the client gives up */
          }
        };
        res.on('drain', pump);
        res.on('error', () => {});
        pump();
      } else if (req.url === '/png') {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        res.end(coverPng());
      } else {
        // /silent: never answers
      }
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await spotify.close();
    other.closeAllConnections();
    await new Promise((r) => other.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  async function albumCoverUrl(): Promise<string> {
    const res = await fetch(`${spotify.url}/v1/albums/ALBUM1`, {
      headers: { Authorization: `Bearer ${await appToken()}` },
    });
    const album = (await res.json()) as { images: { url: string; width: number; height: number }[] };
    return largestImageUrl(album.images)!;
  }
  async function appToken(): Promise<string> {
    const res = await fetch(`${spotify.url}/api/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${spotify.clientId}:${spotify.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('downloads the largest album image once per album, from memory and then from disk', async () => {
    const url = await albumCoverUrl();
    expect(url).toMatch(/\/image\/ALBUM1\/640$/);
    const covers = new HttpCoverSource({ cacheDir: path.join(dir, 'covers') });
    const [a, b] = await Promise.all([covers.cover(url), covers.cover(url)]);
    expect(a?.data.equals(cover640())).toBe(true);
    expect(a?.info).toEqual({ mime: 'image/jpeg', width: 640, height: 640, depth: 24 });
    expect(b).toBe(a);
    expect(spotify.requestsTo('/image/')).toHaveLength(1);
    expect(readdirSync(path.join(dir, 'covers'))).toHaveLength(1);

    // A new run (new source) reads the disk cache and asks nobody.
    const again = await new HttpCoverSource({ cacheDir: path.join(dir, 'covers') }).cover(url);
    expect(again?.data.equals(cover640())).toBe(true);
    expect(spotify.requestsTo('/image/')).toHaveLength(1);
  });

  it('accepts a PNG by its bytes', async () => {
    const cover = await new HttpCoverSource().cover(`${otherUrl}/png`);
    expect(cover?.info).toMatchObject({ mime: 'image/png', width: 48, height: 48 });
  });

  it.each([
    ['an HTML page', '/html'],
    ['bytes that are not JPEG or PNG', '/lying'],
    ['a body over the size limit', '/huge'],
    ['a 404', '/image/NOPE/640'],
  ])('answers null for %s', async (_what, route) => {
    const base = route.startsWith('/image/') ? spotify.url : otherUrl;
    const cover = await new HttpCoverSource({ maxBytes: 256 * 1024, cacheDir: path.join(dir, 'covers') }).cover(`${base}${route}`);
    expect(cover).toBeNull();
    expect(readdirSync(dir)).toEqual([]); // nothing cached
  });

  it('gives up on a host that never answers, after the timeout', async () => {
    const started = Date.now();
    const cover = await new HttpCoverSource({ timeoutMs: 300 }).cover(`${otherUrl}/silent`);
    expect(cover).toBeNull();
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses what is not http(s)', async () => {
    expect(await new HttpCoverSource().cover('file:///etc/passwd')).toBeNull();
  });
});
