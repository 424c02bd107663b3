/**
 * The metadata half of a FLAC file as plain blocks: `fLaC`, then blocks of (type, last flag,
 * 24-bit length, data) up to the first audio frame. Reading is bounded before any allocation (block
 * count, total bytes), so a crafted header cannot make us read or hold more than the limits.
 */
import type { FileHandle } from 'node:fs/promises';

export const BLOCK = { STREAMINFO: 0, PADDING: 1, APPLICATION: 2, SEEKTABLE: 3, VORBIS_COMMENT: 4, CUESHEET: 5, PICTURE: 6 } as const;

export interface FlacBlock {
  type: number;
  /** The block's body, without its 4-byte header. */
  data: Buffer;
}

export interface FlacLayout {
  blocks: FlacBlock[];
  /** Byte offset of the first audio frame (= size of `fLaC` + all metadata blocks). */
  audioOffset: number;
}

export interface LayoutLimits {
  /** Metadata bytes read at most (a cover is at most a few MB; the spec's block maximum is 16 MiB). */
  maxMetadataBytes: number;
  maxBlocks: number;
}

export const DEFAULT_LAYOUT_LIMITS: LayoutLimits = { maxMetadataBytes: 24 * 1024 * 1024, maxBlocks: 512 };

/** The largest body a block header can describe (24-bit length). */
export const MAX_BLOCK_BYTES = 0xffffff;

export class FlacLayoutError extends Error {
  override readonly name = 'FlacLayoutError';
}

async function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new FlacLayoutError(`the file ends inside its metadata (at byte ${position + done})`);
    done += bytesRead;
  }
  return buf;
}

/** Reads the metadata blocks of an open FLAC file, within the limits. */
export async function readFlacLayout(handle: FileHandle, limits: LayoutLimits = DEFAULT_LAYOUT_LIMITS): Promise<FlacLayout> {
  const magic = await readExactly(handle, 4, 0);
  if (magic.toString('latin1') !== 'fLaC') {
    throw new FlacLayoutError(magic.subarray(0, 3).toString('latin1') === 'ID3' ? 'an ID3 tag sits before the FLAC header' : 'not a FLAC file');
  }
  const blocks: FlacBlock[] = [];
  let offset = 4;
  for (let last = false; !last; ) {
    if (blocks.length >= limits.maxBlocks) throw new FlacLayoutError(`more than ${limits.maxBlocks} metadata blocks`);
    const header = await readExactly(handle, 4, offset);
    last = (header[0]! & 0x80) !== 0;
    const type = header[0]! & 0x7f;
    const length = header.readUIntBE(1, 3);
    if (type === 127) throw new FlacLayoutError('invalid metadata block type 127');
    if (offset + 4 + length > limits.maxMetadataBytes) {
      throw new FlacLayoutError(`metadata larger than ${Math.round(limits.maxMetadataBytes / 1048576)} MiB`);
    }
    if (blocks.length === 0 && (type !== BLOCK.STREAMINFO || length !== 34)) throw new FlacLayoutError('the first block is not a STREAMINFO');
    blocks.push({ type, data: await readExactly(handle, length, offset + 4) });
    offset += 4 + length;
  }
  return { blocks, audioOffset: offset };
}

/** Bytes the blocks take on disk, `fLaC` included. */
export function layoutSize(blocks: readonly FlacBlock[]): number {
  return 4 + blocks.reduce((n, b) => n + 4 + b.data.length, 0);
}

/** `fLaC` + the blocks, with the last-block flag on the final one. */
export function serializeLayout(blocks: readonly FlacBlock[]): Buffer {
  if (blocks[0]?.type !== BLOCK.STREAMINFO) throw new FlacLayoutError('STREAMINFO must come first');
  const parts: Buffer[] = [Buffer.from('fLaC', 'latin1')];
  blocks.forEach((b, i) => {
    if (b.data.length > MAX_BLOCK_BYTES) throw new FlacLayoutError(`a metadata block of ${b.data.length} bytes does not fit FLAC's 16 MiB limit`);
    const header = Buffer.alloc(4);
    header[0] = (i === blocks.length - 1 ? 0x80 : 0) | b.type;
    header.writeUIntBE(b.data.length, 1, 3);
    parts.push(header, b.data);
  });
  return Buffer.concat(parts);
}

/** Default padding left after a rewrite, so the next edit fits in place (metaflac leaves 8 KiB too). */
export const REWRITE_PADDING = 8192;

/**
 * Fits new metadata (without PADDING) into the room the old metadata took: exactly, or with a PADDING
 * block taking up the rest. Returns null when it does not fit, and then the file must be rewritten.
 */
export function fitInPlace(blocks: readonly FlacBlock[], room: number): FlacBlock[] | null {
  const body = blocks.filter((b) => b.type !== BLOCK.PADDING);
  const size = layoutSize(body);
  if (size === room) return body;
  const spare = room - size - 4;
  if (spare < 0 || spare > MAX_BLOCK_BYTES) return null;
  return [...body, { type: BLOCK.PADDING, data: Buffer.alloc(spare) }];
}

/** The blocks for a rewritten file: no old padding, fresh padding at the end. */
export function withFreshPadding(blocks: readonly FlacBlock[], padding = REWRITE_PADDING): FlacBlock[] {
  return [...blocks.filter((b) => b.type !== BLOCK.PADDING), { type: BLOCK.PADDING, data: Buffer.alloc(padding) }];
}
