/**
 * Fills a verified FLAC's tags and front cover from what Spotify knows about the track (TAGS=fill),
 * replaces what differs (overwrite) or leaves the file alone (keep). Audio frames are never
 * touched: see write-flac-metadata.ts. Returns the tags and cover the file ends with, so a
 * conversion to AIFF/WAV can carry the same ones.
 */
import type { TrackInfo } from '../../domain/track.js';
import type { Logger } from '../../logger.js';
import type { CoverSource } from './cover-source.js';
import { BLOCK, DEFAULT_LAYOUT_LIMITS, type FlacBlock, type LayoutLimits } from './flac-layout.js';
import { FRONT_COVER, pictureFromImage, pictureType, serializePicture } from './flac-picture.js';
import { imageInfo, type ImageInfo } from './image-info.js';
import { planComments, wantedTags, wantsCover, type Comment, type TagField, type TagMode } from './tag-plan.js';
import { parseVorbisComments, serializeVorbisComments } from './vorbis-comment.js';
import { readLayout, rewriteFlacMetadata, type ResultCheck } from './write-flac-metadata.js';

export interface EmbeddedCover {
  data: Buffer;
  info: ImageInfo;
}

export interface TagOutcome {
  /** Fields added or replaced. */
  changed: TagField[];
  cover: 'added' | 'replaced' | 'kept' | 'none';
  /** Whether anything was written, and how (in place = audio bytes never moved). */
  written: 'no' | 'in-place' | 'rewritten';
  /** The file's tags after the write. */
  comments: Comment[];
  /** The file's front cover after the write, if any. */
  frontCover: EmbeddedCover | null;
}

export interface FlacTaggerOptions {
  mode: TagMode;
  covers?: CoverSource;
  limits?: LayoutLimits;
  logger?: Logger;
}

const VENDOR = 'Crate';

export class FlacTagger {
  constructor(private readonly o: FlacTaggerOptions) {}

  /** `check`: the library's verification, run on the written file before it replaces the original. */
  async tag(file: string, track: TrackInfo, check?: ResultCheck): Promise<TagOutcome> {
    const limits = this.o.limits ?? DEFAULT_LAYOUT_LIMITS;
    const layout = await readLayout(file, limits);
    const commentBlock = layout.blocks.find((b) => b.type === BLOCK.VORBIS_COMMENT);
    const existing = commentBlock ? parseVorbisComments(commentBlock.data) : { vendor: VENDOR, comments: [] };
    const haveCover = frontCoverOf(layout.blocks);
    const plan = planComments(existing.comments, wantedTags(track), this.o.mode);
    let newCover: EmbeddedCover | null = null;
    if (track.coverUrl && this.o.covers && wantsCover(this.o.mode, haveCover !== null)) {
      newCover = await this.o.covers.cover(track.coverUrl);
    }
    if (plan.changed.length === 0 && !newCover) {
      return { changed: [], cover: haveCover ? 'kept' : 'none', written: 'no', comments: existing.comments, frontCover: haveCover };
    }
    const comments = serializeVorbisComments({ vendor: existing.vendor, comments: plan.comments });
    const result = await rewriteFlacMetadata(
      file,
      (blocks) => {
        const out: FlacBlock[] = [];
        let placedComments = false;
        for (const b of blocks) {
          if (b.type === BLOCK.VORBIS_COMMENT) {
            // One comment block (the spec allows one); a second one's tags were already read as the first's.
            if (!placedComments) out.push({ type: BLOCK.VORBIS_COMMENT, data: comments });
            placedComments = true;
          } else if (newCover && b.type === BLOCK.PICTURE && pictureType(b.data) === FRONT_COVER) {
            continue; // replaced below
          } else out.push(b);
        }
        if (!placedComments) out.splice(1, 0, { type: BLOCK.VORBIS_COMMENT, data: comments });
        if (newCover) out.push({ type: BLOCK.PICTURE, data: serializePicture(pictureFromImage(newCover.data, newCover.info)) });
        return out;
      },
      limits,
      check,
    );
    this.o.logger?.debug({ file, changed: plan.changed, cover: newCover !== null, inPlace: result.inPlace }, 'tags written');
    return {
      changed: plan.changed,
      cover: newCover ? (haveCover ? 'replaced' : 'added') : haveCover ? 'kept' : 'none',
      written: result.inPlace ? 'in-place' : 'rewritten',
      comments: plan.comments,
      frontCover: newCover ?? haveCover,
    };
  }
}

/** The first front-cover PICTURE block, decoded as far as the image (bounded by the block). */
function frontCoverOf(blocks: readonly FlacBlock[]): EmbeddedCover | null {
  for (const b of blocks) {
    if (b.type !== BLOCK.PICTURE || pictureType(b.data) !== FRONT_COVER) continue;
    const d = b.data;
    try {
      let at = 4;
      const mimeLen = d.readUInt32BE(at);
      at += 4 + mimeLen;
      const descLen = d.readUInt32BE(at);
      at += 4 + descLen + 16;
      const len = d.readUInt32BE(at);
      at += 4;
      if (at + len > d.length) continue;
      const data = d.subarray(at, at + len);
      const info = imageInfo(data);
      if (info) return { data, info };
    } catch {
      // A malformed picture block is not a cover.
    }
  }
  return null;
}

/** Puts exactly these tags and this front cover on a FLAC Crate made itself (a resampled copy). */
export async function writeFlacTagsAs(file: string, comments: Comment[], cover: EmbeddedCover | null, check?: ResultCheck): Promise<void> {
  const data = serializeVorbisComments({ vendor: VENDOR, comments });
  await rewriteFlacMetadata(
    file,
    (blocks) => {
      const kept = blocks.filter((b) => b.type !== BLOCK.VORBIS_COMMENT && !(b.type === BLOCK.PICTURE && pictureType(b.data) === FRONT_COVER));
      const out: FlacBlock[] = [kept[0]!, { type: BLOCK.VORBIS_COMMENT, data }, ...kept.slice(1)];
      if (cover) out.push({ type: BLOCK.PICTURE, data: serializePicture(pictureFromImage(cover.data, cover.info)) });
      return out;
    },
    DEFAULT_LAYOUT_LIMITS,
    check,
  );
}
