/**
 * What a FLAC PICTURE block and an ID3 APIC frame need to know about an image: its type from the
 * magic bytes (never the server's word) and, for FLAC, width, height and colour depth. Bounded
 * scans over the buffer only.
 */
export interface ImageInfo {
  mime: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  /** Bits per pixel. */
  depth: number;
}

export function imageMime(data: Buffer): ImageInfo['mime'] | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return null;
}

/** Channels per PNG colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA). */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function imageInfo(data: Buffer): ImageInfo | null {
  const mime = imageMime(data);
  if (mime === 'image/png') {
    if (data.length < 29 || data.toString('latin1', 12, 16) !== 'IHDR') return null;
    const channels = PNG_CHANNELS[data[25]!];
    if (!channels) return null;
    return { mime, width: data.readUInt32BE(16), height: data.readUInt32BE(20), depth: data[24]! * channels };
  }
  if (mime === 'image/jpeg') {
    // Walk the segments to the first start-of-frame (SOF0..SOF15 except DHT C4, JPG C8, DAC CC).
    let at = 2;
    while (at + 9 < data.length) {
      if (data[at] !== 0xff) return null;
      const marker = data[at + 1]!;
      if (marker === 0xff) {
        at++;
        continue;
      }
      const length = data.readUInt16BE(at + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { mime, width: data.readUInt16BE(at + 7), height: data.readUInt16BE(at + 5), depth: data[at + 4]! * data[at + 9]! };
      }
      if (marker === 0xd9 || marker === 0xda || length < 2) return null;
      at += 2 + length;
    }
    return null;
  }
  return null;
}
