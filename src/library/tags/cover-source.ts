/**
 * Album covers from Spotify's image URLs: fetched with a size limit and a timeout, accepted only
 * when the bytes really are a JPEG or PNG, and cached per album (in memory for the run, on disk
 * across runs), so a 30-track album costs one download. A cover is a nicety: every failure is
 * logged and answered with null, never thrown into the library flow.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logger.js';
import { writeFileAtomic } from '../store-file.js';
import { imageInfo, type ImageInfo } from './image-info.js';

export interface Cover {
  data: Buffer;
  info: ImageInfo;
}

export interface CoverSource {
  cover(url: string): Promise<Cover | null>;
}

/** The fetch the covers go through (the global one, or a test's). */
export type CoverFetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpCoverSourceOptions {
  fetch?: CoverFetch;
  /** Largest image accepted (Spotify's 640 px covers are 50–300 KB). */
  maxBytes?: number;
  timeoutMs?: number;
  /** Folder for the on-disk cache (e.g. <data>/covers); none = memory only. */
  cacheDir?: string;
  logger?: Logger;
}

const MEMORY_ENTRIES = 32;

export class HttpCoverSource implements CoverSource {
  private readonly memory = new Map<string, Promise<Cover | null>>();
  private readonly fetch: CoverFetch;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;

  constructor(private readonly o: HttpCoverSourceOptions = {}) {
    this.fetch = o.fetch ?? globalThis.fetch;
    this.maxBytes = o.maxBytes ?? 8 * 1024 * 1024;
    this.timeoutMs = o.timeoutMs ?? 15_000;
  }

  cover(url: string): Promise<Cover | null> {
    const known = this.memory.get(url);
    if (known) return known;
    const pending = this.load(url);
    this.memory.set(url, pending);
    // Oldest out first: a library run touches albums one after another.
    while (this.memory.size > MEMORY_ENTRIES) this.memory.delete(this.memory.keys().next().value!);
    return pending;
  }

  private async load(url: string): Promise<Cover | null> {
    const file = this.o.cacheDir ? path.join(this.o.cacheDir, `${createHash('sha256').update(url).digest('hex').slice(0, 32)}.img`) : null;
    if (file) {
      const cached = await readFile(file).catch(() => null);
      const info = cached ? imageInfo(cached) : null;
      if (cached && info) return { data: cached, info };
    }
    try {
      const data = await this.download(url);
      const info = imageInfo(data);
      if (!info) throw new Error('the answer is not a JPEG or PNG image');
      if (file) await writeFileAtomic(file, data).catch((err: unknown) => this.o.logger?.warn({ err }, 'could not cache a cover'));
      return { data, info };
    } catch (err) {
      this.o.logger?.warn({ err, url }, 'no cover: download failed');
      return null;
    }
  }

  private async download(url: string): Promise<Buffer> {
    if (!/^https?:\/\//i.test(url)) throw new Error('not an http(s) URL');
    const res = await this.fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'follow' });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    const type = res.headers.get('content-type') ?? '';
    if (type && !/^image\/(jpeg|jpg|png)\b/i.test(type)) throw new Error(`content-type ${type} is not an image`);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > this.maxBytes) throw new Error(`image of ${declared} bytes is over the ${this.maxBytes} limit`);
    if (!res.body) throw new Error('empty answer');
    const chunks: Buffer[] = [];
    let total = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > this.maxBytes) {
        await reader.cancel().catch(() => {});
        throw new Error(`image over the ${this.maxBytes}-byte limit`);
      }
      chunks.push(Buffer.from(value));
    }
    return Buffer.concat(chunks);
  }
}
