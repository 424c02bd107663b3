import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BLOCK, fitInPlace, layoutSize, readFlacLayout, serializeLayout } from '../../../src/library/tags/flac-layout.js';
import { parseVorbisComments, serializeVorbisComments } from '../../../src/library/tags/vorbis-comment.js';
import { makeFlac } from '../../fakes/flac-writer.js';

describe('FLAC metadata layout', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-layout-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function layoutOf(bytes: Buffer, limits?: { maxMetadataBytes: number; maxBlocks: number }) {
    const file = path.join(dir, 'x.flac');
    writeFileSync(file, bytes);
    const h = await open(file, 'r');
    try {
      return await readFlacLayout(h, limits);
    } finally {
      await h.close();
    }
  }

  it('reads the blocks of a file from our test writer and serialises them back byte for byte', async () => {
    const bytes = makeFlac({ artist: 'A', title: 'T', durationMs: 1000 });
    const layout = await layoutOf(bytes);
    expect(layout.blocks.map((b) => b.type)).toEqual([BLOCK.STREAMINFO, BLOCK.VORBIS_COMMENT]);
    expect(serializeLayout(layout.blocks).equals(bytes.subarray(0, layout.audioOffset))).toBe(true);
    expect(layoutSize(layout.blocks)).toBe(layout.audioOffset);
  });

  it('stops at the metadata limit before reading a giant block', async () => {
    const bytes = makeFlac({ durationMs: 1000, padToBytes: 3 * 1024 * 1024 });
    await expect(layoutOf(bytes, { maxMetadataBytes: 1024 * 1024, maxBlocks: 64 })).rejects.toThrow(/metadata larger than 1 MiB/);
  });

  it('a comment count larger than the block can hold is refused before looping', () => {
    const body = serializeVorbisComments({ vendor: 'v', comments: [{ key: 'A', value: 'b' }] });
    body.writeUInt32LE(0xffffffff, 4 + 1); // count field after the vendor string
    expect(() => parseVorbisComments(body)).toThrow(/implausible comment count/);
  });

  it('a comment length past the block is refused', () => {
    const body = serializeVorbisComments({ vendor: 'v', comments: [{ key: 'A', value: 'b' }] });
    body.writeUInt32LE(1 << 30, 4 + 1 + 4);
    expect(() => parseVorbisComments(body)).toThrow(/runs past the end/);
  });

  it('fits new blocks with padding, exactly, or not at all', () => {
    const si = { type: BLOCK.STREAMINFO, data: Buffer.alloc(34) };
    const vc = { type: BLOCK.VORBIS_COMMENT, data: Buffer.alloc(100) };
    const size = layoutSize([si, vc]);
    expect(fitInPlace([si, vc], size)).toEqual([si, vc]);
    expect(fitInPlace([si, vc], size + 2)).toBeNull(); // 2 spare bytes cannot hold a block header
    expect(fitInPlace([si, vc], size + 104)?.at(-1)).toEqual({ type: BLOCK.PADDING, data: Buffer.alloc(100) });
    expect(fitInPlace([si, vc], size - 1)).toBeNull();
  });
});
