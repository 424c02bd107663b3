/** FLAC PICTURE block bodies (big-endian, as the spec lays them out). */
import type { ImageInfo } from './image-info.js';

/** ID3v2 APIC / FLAC picture types used here. */
export const FRONT_COVER = 3;

export interface FlacPicture {
  pictureType: number;
  mime: string;
  description: string;
  width: number;
  height: number;
  depth: number;
  colors: number;
  data: Buffer;
}

export function pictureFromImage(data: Buffer, info: ImageInfo, pictureType = FRONT_COVER): FlacPicture {
  return { pictureType, mime: info.mime, description: '', width: info.width, height: info.height, depth: info.depth, colors: 0, data };
}

export function serializePicture(p: FlacPicture): Buffer {
  const mime = Buffer.from(p.mime, 'latin1');
  const desc = Buffer.from(p.description, 'utf8');
  const head = Buffer.alloc(12 + mime.length + desc.length + 20);
  let at = head.writeUInt32BE(p.pictureType, 0);
  at = head.writeUInt32BE(mime.length, at);
  at += mime.copy(head, at);
  at = head.writeUInt32BE(desc.length, at);
  at += desc.copy(head, at);
  at = head.writeUInt32BE(p.width, at);
  at = head.writeUInt32BE(p.height, at);
  at = head.writeUInt32BE(p.depth, at);
  at = head.writeUInt32BE(p.colors, at);
  head.writeUInt32BE(p.data.length, at);
  return Buffer.concat([head, p.data]);
}

/** Only the picture type (the first 4 bytes): enough to know whether a file has a front cover. */
export function pictureType(data: Buffer): number | null {
  return data.length >= 4 ? data.readUInt32BE(0) : null;
}
