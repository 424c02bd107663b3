/**
 * The bounds every parse of a FLAC file is held to before it starts. A file is written by someone
 * else (the external bot, or whoever made an old library), so its length fields are claims, not
 * facts: a VORBIS_COMMENT block that says "2^32 comments", a PICTURE of 16 MiB repeated a hundred
 * times, or an audio tail of garbage must be refused from the numbers alone, before anything is
 * allocated or scanned. Real files are far inside these limits (the bot's tags are a few KB, Spotify's
 * largest cover is about 300 KB, a FLAC frame is at most a few hundred KB).
 */
export interface VerifyLimits {
  /** An ID3v2 tag in front of `fLaC` (some taggers write one); music-metadata would parse it. */
  maxId3v2Bytes: number;
  /** Metadata blocks in all (PADDING and APPLICATION included): bounds the walk over them. */
  maxMetadataBlocks: number;
  /** The VORBIS_COMMENT block (tags; long lyrics included). */
  maxVorbisCommentBytes: number;
  maxVorbisComments: number;
  /** One comment (`KEY=value`). */
  maxVorbisCommentLength: number;
  /** One PICTURE block, and all of them together. */
  maxPictureBytes: number;
  maxTotalPictureBytes: number;
  maxPictures: number;
  /** SEEKTABLE and CUESHEET blocks: parsed by readers, small in real files. */
  maxSeekTableBytes: number;
  maxCueSheetBytes: number;
  /** How far back from the end the last audio frame is looked for, whatever STREAMINFO claims. */
  maxTailScanBytes: number;
  /** Candidate frame headers (sync code + valid CRC-8) whose CRC-16 is checked against the tail. */
  maxTailCandidates: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: VerifyLimits = {
  maxId3v2Bytes: 2 * MiB,
  maxMetadataBlocks: 1024,
  maxVorbisCommentBytes: 1 * MiB,
  maxVorbisComments: 4096,
  maxVorbisCommentLength: 512 * 1024,
  maxPictureBytes: 8 * MiB,
  maxTotalPictureBytes: 16 * MiB,
  maxPictures: 16,
  maxSeekTableBytes: 1 * MiB,
  maxCueSheetBytes: 64 * 1024,
  // The largest legal frame (65535 samples × 8 channels × 32 bits, verbatim) is just over 2 MiB.
  maxTailScanBytes: 2 * MiB + 64 * 1024,
  maxTailCandidates: 64,
};

/** Resource limits of the verification worker (a file that needs more is refused, not waited for). */
export interface WorkerLimits {
  /** Wall time of one file's structural check in the worker. */
  timeoutMs: number;
  /** V8 heap of the worker (resourceLimits.maxOldGenerationSizeMb). */
  maxHeapMb: number;
}

export const DEFAULT_WORKER_LIMITS: WorkerLimits = { timeoutMs: 15_000, maxHeapMb: 96 };

/** Wall time of the deep check (`flac -t` decodes the whole file: ~1 s per 100 MB on one core, more when loaded). */
export const DEFAULT_DEEP_TIMEOUT_MS = 180_000;
