/**
 * What happens to a verified download before it gets its name in the library: tags and cover from
 * Spotify (TAGS), then a conversion when the DJ's player needs one (OUTPUT_FORMAT, MAX_SAMPLE_RATE).
 * Each step is a nicety on top of a file that is already right, so a step that fails is logged and
 * skipped, never a reason to lose the file.
 */
import type { AudioFacts } from '../../domain/job.js';
import type { TrackInfo } from '../../domain/track.js';
import type { Logger } from '../../logger.js';
import type { FlacTagger, TagOutcome } from '../tags/flac-tagger.js';
import type { ResultCheck } from '../tags/write-flac-metadata.js';

export interface FinishedFile {
  /** The file to put in place (the download itself, or its converted copy). */
  path: string;
  /** Its extension, with the dot: ".flac", ".aiff", ".wav". */
  extension: string;
  /** Audio facts that changed (a resampled or converted file). */
  audio: Partial<AudioFacts>;
  /** Plain words for the log and the owner ("tags: ALBUM, ISRC; cover added"). */
  notes: string[];
}

/** Converts a tagged FLAC into what the player takes (see ../convert/). */
export interface FormatStep {
  convert(file: string, audio: AudioFacts, tags: TagOutcome | null, track: TrackInfo): Promise<Omit<FinishedFile, 'notes'> & { note: string | null }>;
}

export interface FileFinisher {
  /** `verify`: the library's own check of a file (a reason, or null when it is fine). */
  finish(file: string, track: TrackInfo, audio: AudioFacts, verify?: ResultCheck): Promise<FinishedFile>;
}

export class TagAndConvert implements FileFinisher {
  constructor(private readonly o: { tagger?: FlacTagger; format?: FormatStep; logger?: Logger }) {}

  async finish(file: string, track: TrackInfo, audio: AudioFacts, verify?: ResultCheck): Promise<FinishedFile> {
    const notes: string[] = [];
    let tags: TagOutcome | null = null;
    if (this.o.tagger) {
      try {
        tags = await this.o.tagger.tag(file, track, verify);
        if (tags.changed.length > 0) notes.push(`tags filled: ${tags.changed.join(', ')}`);
        if (tags.cover === 'added' || tags.cover === 'replaced') notes.push(`cover ${tags.cover}`);
      } catch (err) {
        this.o.logger?.warn({ err, file }, 'tags not written; the file is kept as the bot sent it');
        notes.push(`tags not written: ${(err as Error).message}`);
      }
    }
    if (!this.o.format) return { path: file, extension: '.flac', audio: {}, notes };
    try {
      const converted = await this.o.format.convert(file, audio, tags, track);
      if (converted.note) notes.push(converted.note);
      return { path: converted.path, extension: converted.extension, audio: converted.audio, notes };
    } catch (err) {
      this.o.logger?.warn({ err, file }, 'conversion failed; the FLAC is kept');
      notes.push(`not converted: ${(err as Error).message}`);
      return { path: file, extension: '.flac', audio: {}, notes };
    }
  }
}
