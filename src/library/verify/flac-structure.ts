/**
 * A bounded walk over a FLAC file's metadata (RFC 9639 §8): every length field is checked against
 * the file's size and against VerifyLimits before a byte of that block is read, so no claim in the
 * file makes us allocate, read or loop more than the limits allow. Only what later steps need is
 * parsed (STREAMINFO, the Vorbis comments); PADDING, APPLICATION and unknown blocks are stepped over
 * by their length. Anything that passes here is safe to hand to music-metadata.
 */
import type { FileHandle } from 'node:fs/promises';
import type { VerifyLimits } from './limits.js';

export interface StreamInfo {
  minBlockSize: number;
  maxBlockSize: number;
  minFrameSize: number;
  /** 0 = not recorded by the encoder. */
  maxFrameSize: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 = unknown. */
  totalSamples: number;
  /** MD5 of the decoded audio as hex, or null when the encoder left it unset (all zeros). */
  md5: string | null;
}

export interface FlacStructure {
  size: number;
  /** Offset of the first audio frame. */
  audioStart: number;
  streamInfo: StreamInfo;
  /** Vorbis comments as written (`KEY=value`), or null when the file has no VORBIS_COMMENT block. */
  comments: string[] | null;
  pictures: number;
  pictureBytes: number;
}

export type StructureFailure = { ok: false; kind: 'not_flac' | 'truncated' | 'over_limit'; reason: string };
export type StructureResult = { ok: true; structure: FlacStructure } | StructureFailure;

const BLOCK = { STREAMINFO: 0, PADDING: 1, APPLICATION: 2, SEEKTABLE: 3, VORBIS_COMMENT: 4, CUESHEET: 5, PICTURE: 6 } as const;

export async function readFlacStructure(fh: FileHandle, limits: VerifyLimits): Promise<StructureResult> {
  const { size } = await fh.stat();
  const read = async (pos: number, len: number): Promise<Buffer> => {
    const buf = Buffer.alloc(Math.max(0, Math.min(len, size - pos)));
    if (buf.length > 0) await fh.read(buf, 0, buf.length, pos);
    return buf;
  };

  let pos = 0;
  const id3 = await read(0, 10);
  if (id3.length === 10 && id3.toString('latin1', 0, 3) === 'ID3') {
    // ID3v2 size is syncsafe (7 bits per byte); a footer flag adds 10 bytes.
    const tagSize = ((id3[6]! & 0x7f) << 21) | ((id3[7]! & 0x7f) << 14) | ((id3[8]! & 0x7f) << 7) | (id3[9]! & 0x7f);
    if (tagSize > limits.maxId3v2Bytes) return overLimit(`an ID3v2 tag of ${mb(tagSize)} in front of the audio (limit ${mb(limits.maxId3v2Bytes)})`);
    pos = 10 + tagSize + ((id3[5]! & 0x10) !== 0 ? 10 : 0);
  }
  if ((await read(pos, 4)).toString('latin1') !== 'fLaC') return { ok: false, kind: 'not_flac', reason: 'no FLAC signature ("fLaC") at the start' };
  pos += 4;

  let streamInfo: StreamInfo | null = null;
  let comments: string[] | null = null;
  let pictures = 0;
  let pictureBytes = 0;
  for (let blocks = 0, last = false; !last; blocks++) {
    if (blocks >= limits.maxMetadataBlocks) return overLimit(`more than ${limits.maxMetadataBlocks} metadata blocks`);
    const head = await read(pos, 4);
    if (head.length < 4) return truncated('the file ends inside its metadata blocks (no audio at all)');
    last = (head[0]! & 0x80) !== 0;
    const type = head[0]! & 0x7f;
    const length = head.readUIntBE(1, 3);
    const body = pos + 4;
    if (body + length > size) return truncated('the file ends inside its metadata blocks (no audio at all)');
    if (type === 127) return { ok: false, kind: 'not_flac', reason: 'an invalid metadata block type (127)' };
    if (blocks === 0 && type !== BLOCK.STREAMINFO) return { ok: false, kind: 'not_flac', reason: 'the first metadata block is not STREAMINFO' };
    switch (type) {
      case BLOCK.STREAMINFO:
        if (blocks !== 0) return { ok: false, kind: 'not_flac', reason: 'a second STREAMINFO block' };
        if (length !== 34) return { ok: false, kind: 'not_flac', reason: `a STREAMINFO block of ${length} bytes (must be 34)` };
        streamInfo = parseStreamInfo(await read(body, 34));
        if (!streamInfo) return { ok: false, kind: 'not_flac', reason: 'an invalid STREAMINFO block' };
        break;
      case BLOCK.VORBIS_COMMENT: {
        if (comments) return { ok: false, kind: 'not_flac', reason: 'two VORBIS_COMMENT blocks' };
        if (length > limits.maxVorbisCommentBytes) return overLimit(`a tag block (VORBIS_COMMENT) of ${mb(length)} (limit ${mb(limits.maxVorbisCommentBytes)})`);
        const parsed = parseVorbisComments(await read(body, length), limits);
        if (typeof parsed === 'string') return parsed.startsWith('over:') ? overLimit(parsed.slice(5)) : { ok: false, kind: 'not_flac', reason: parsed };
        comments = parsed;
        break;
      }
      case BLOCK.PICTURE: {
        pictures++;
        pictureBytes += length;
        if (pictures > limits.maxPictures) return overLimit(`more than ${limits.maxPictures} embedded pictures`);
        if (length > limits.maxPictureBytes) return overLimit(`an embedded picture of ${mb(length)} (limit ${mb(limits.maxPictureBytes)})`);
        if (pictureBytes > limits.maxTotalPictureBytes) return overLimit(`embedded pictures of ${mb(pictureBytes)} in all (limit ${mb(limits.maxTotalPictureBytes)})`);
        const bad = checkPicture(await read(body, Math.min(length, 64 * 1024 + 64)), length);
        if (bad) return { ok: false, kind: 'not_flac', reason: bad };
        break;
      }
      case BLOCK.SEEKTABLE:
        if (length > limits.maxSeekTableBytes) return overLimit(`a SEEKTABLE of ${mb(length)} (limit ${mb(limits.maxSeekTableBytes)})`);
        if (length % 18 !== 0) return { ok: false, kind: 'not_flac', reason: 'a SEEKTABLE whose size is not a whole number of seek points' };
        break;
      case BLOCK.CUESHEET:
        if (length > limits.maxCueSheetBytes) return overLimit(`a CUESHEET of ${mb(length)} (limit ${mb(limits.maxCueSheetBytes)})`);
        break;
      default:
        // PADDING, APPLICATION and reserved types: readers skip them by their length, and so do we.
        break;
    }
    pos = body + length;
  }
  if (!streamInfo) return { ok: false, kind: 'not_flac', reason: 'no STREAMINFO block' };
  return { ok: true, structure: { size, audioStart: pos, streamInfo, comments, pictures, pictureBytes } };
}

function parseStreamInfo(b: Buffer): StreamInfo | null {
  if (b.length < 34) return null;
  const sampleRate = (b[10]! << 12) | (b[11]! << 4) | (b[12]! >> 4);
  const channels = ((b[12]! >> 1) & 0x07) + 1;
  const bitsPerSample = (((b[12]! & 0x01) << 4) | (b[13]! >> 4)) + 1;
  // 36-bit sample count: 4 bits in byte 13, then 4 bytes.
  const totalSamples = (b[13]! & 0x0f) * 2 ** 32 + b.readUInt32BE(14);
  const md5 = b.subarray(18, 34);
  const minBlockSize = b.readUInt16BE(0);
  const maxBlockSize = b.readUInt16BE(2);
  if (minBlockSize < 16 || maxBlockSize < minBlockSize || sampleRate === 0 || bitsPerSample < 4) return null;
  return {
    minBlockSize,
    maxBlockSize,
    minFrameSize: b.readUIntBE(4, 3),
    maxFrameSize: b.readUIntBE(7, 3),
    sampleRate,
    channels,
    bitsPerSample,
    totalSamples,
    md5: md5.every((x) => x === 0) ? null : md5.toString('hex'),
  };
}

/** Vorbis comment block: vendor string, then a count of length-prefixed `KEY=value` strings (little-endian). */
function parseVorbisComments(b: Buffer, limits: VerifyLimits): string[] | string {
  if (b.length < 8) return 'a VORBIS_COMMENT block too short to hold its counts';
  const vendorLength = b.readUInt32LE(0);
  if (vendorLength > b.length - 8) return 'a VORBIS_COMMENT vendor string longer than its block';
  let p = 4 + vendorLength;
  const count = b.readUInt32LE(p);
  p += 4;
  if (count > limits.maxVorbisComments) return `over:${count} tags in the VORBIS_COMMENT block (limit ${limits.maxVorbisComments})`;
  // Each comment needs at least its 4-byte length: a count the block cannot hold is a lie.
  if (count * 4 > b.length - p) return `a VORBIS_COMMENT block that claims ${count} tags but cannot hold them`;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 4 > b.length) return 'a VORBIS_COMMENT block cut short';
    const len = b.readUInt32LE(p);
    p += 4;
    if (len > limits.maxVorbisCommentLength) return `over:a tag of ${mb(len)} (limit ${mb(limits.maxVorbisCommentLength)})`;
    if (len > b.length - p) return 'a tag longer than its VORBIS_COMMENT block';
    out.push(b.toString('utf8', p, p + len));
    p += len;
  }
  return out;
}

/** PICTURE: type, MIME, description, dimensions, then the data length — which must fit the block exactly. */
function checkPicture(b: Buffer, blockLength: number): string | null {
  let p = 4;
  if (p + 4 > b.length) return 'a PICTURE block cut short';
  const mime = b.readUInt32BE(p);
  p += 4 + mime;
  if (mime > 256 || p + 4 > b.length) return 'a PICTURE block with an impossible MIME type length';
  const description = b.readUInt32BE(p);
  p += 4 + description;
  if (p + 20 > b.length) return 'a PICTURE block with an impossible description length';
  const dataLength = b.readUInt32BE(p + 16);
  if (p + 20 + dataLength !== blockLength) return 'a PICTURE block whose picture does not fit it';
  return null;
}

function truncated(reason: string): StructureFailure {
  return { ok: false, kind: 'truncated', reason: `truncated: ${reason}` };
}

function overLimit(what: string): StructureFailure {
  return { ok: false, kind: 'over_limit', reason: `refused without reading further: ${what}` };
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}
