/** Builds the library's finishing steps from the settings (the composition root calls this once). */
import path from 'node:path';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { SoxFormatStep } from '../convert/format-step.js';
import { outputTarget } from '../convert/player-profiles.js';
import { HttpCoverSource, type CoverFetch } from '../tags/cover-source.js';
import { FlacTagger } from '../tags/flac-tagger.js';
import { TagAndConvert, type FileFinisher, type FormatStep } from './file-finisher.js';

export interface FinisherDeps {
  /** How covers are downloaded (tests: the fake Spotify server's image route). */
  fetch?: CoverFetch;
  logger?: Logger;
  format?: FormatStep;
}

export function createFinisher(config: Pick<Config, 'library' | 'dataDir'>, deps: FinisherDeps = {}): FileFinisher {
  const covers = new HttpCoverSource({
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    cacheDir: path.join(config.dataDir, 'covers'),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  const tagger = new FlacTagger({ mode: config.library.tags, covers, ...(deps.logger ? { logger: deps.logger } : {}) });
  const format = deps.format ?? new SoxFormatStep({ target: outputTarget(config.library), ...(deps.logger ? { logger: deps.logger } : {}) });
  return new TagAndConvert({ tagger, format, ...(deps.logger ? { logger: deps.logger } : {}) });
}
