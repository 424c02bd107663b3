/**
 * VORBIS_COMMENT block bodies (little-endian lengths, `KEY=value` UTF-8 strings). Parsing checks
 * every length against what is left of the block before reading, so a crafted count cannot loop
 * or allocate beyond the block itself.
 */
export interface VorbisComments {
  vendor: string;
  /** In file order; keys as written (compare them case-insensitively). */
  comments: { key: string; value: string }[];
}

export const MAX_COMMENTS = 4096;

export class VorbisCommentError extends Error {
  override readonly name = 'VorbisCommentError';
}

export function parseVorbisComments(data: Buffer): VorbisComments {
  let at = 0;
  const take = (n: number): Buffer => {
    if (n > data.length - at) throw new VorbisCommentError('a comment runs past the end of its block');
    const out = data.subarray(at, at + n);
    at += n;
    return out;
  };
  const u32 = () => take(4).readUInt32LE(0);
  const vendor = take(u32()).toString('utf8');
  const count = u32();
  // Each comment needs at least its 4-byte length: a count beyond that is a lie.
  if (count > MAX_COMMENTS || count * 4 > data.length - at) throw new VorbisCommentError(`implausible comment count ${count}`);
  const comments: VorbisComments['comments'] = [];
  for (let i = 0; i < count; i++) {
    const text = take(u32()).toString('utf8');
    const eq = text.indexOf('=');
    if (eq <= 0) continue; // not KEY=value: dropped, as libFLAC tools do
    comments.push({ key: text.slice(0, eq), value: text.slice(eq + 1) });
  }
  return { vendor, comments };
}

/** Keys are printable ASCII 0x20–0x7D except '=' (the Vorbis spec). */
export function isValidKey(key: string): boolean {
  return /^[\x20-\x3c\x3e-\x7d]+$/.test(key);
}

export function serializeVorbisComments(vc: VorbisComments): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n, 0);
    return b;
  };
  const vendor = Buffer.from(vc.vendor, 'utf8');
  parts.push(u32(vendor.length), vendor, u32(vc.comments.length));
  for (const c of vc.comments) {
    if (!isValidKey(c.key)) throw new VorbisCommentError(`invalid comment key ${JSON.stringify(c.key)}`);
    const text = Buffer.from(`${c.key}=${c.value}`, 'utf8');
    parts.push(u32(text.length), text);
  }
  return Buffer.concat(parts);
}
