/** The library as the settings describe it (the composition root loads this on first use). */
import type { Config } from '../config.js';
import type { JobStore } from '../engine/ports.js';
import type { Logger } from '../logger.js';
import { DjPlaylistWriter } from './dj-playlists/dj-playlist-writer.js';
import { profileOf } from './convert/player-profiles.js';
import { createFinisher } from './finish/create-finisher.js';
import { FsLibrary } from './fs-library.js';
import type { CoverFetch } from './tags/cover-source.js';
import type { VerificationLedger } from './verify/ledger.js';

export function createLibrary(
  config: Pick<Config, 'library' | 'dataDir'>,
  deps: { store: Pick<JobStore, 'findDoneTrack' | 'listJobs' | 'tracks'>; ledger?: VerificationLedger; fetch?: CoverFetch; logger: Logger },
): FsLibrary {
  return new FsLibrary({
    store: deps.store,
    ...(deps.ledger ? { ledger: deps.ledger } : {}),
    finisher: createFinisher(config, { ...(deps.fetch ? { fetch: deps.fetch } : {}), logger: deps.logger }),
    linkMode: config.library.linkMode,
    player: profileOf(config.library.player),
    djPlaylists: new DjPlaylistWriter({ kinds: config.library.djPlaylists, musicRoot: config.library.musicRoot ?? null, store: deps.store }),
    logger: deps.logger,
  });
}
