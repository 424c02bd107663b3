/**
 * The 40-track playlist of the end-to-end test, seen from both sides: what Spotify lists
 * (FakeTrack rows for the fake Spotify server) and what @LosslessRobot has (SimTrack entries for
 * the simulated bot: menus with decoys, paging, not-found, late files, a wrong file, a mislabeled
 * file, hi-res and multi-part files).
 */
import type { SimTrack } from '../fakes/simulated-lossless/core.js';
import { formatLength } from '../fakes/simulated-lossless/core.js';
import { fakeId, type FakeTrack } from '../fakes/fake-spotify-server.js';

export type Scenario =
  | 'plain'
  /** Same-length remix and edit rows are listed before the original. */
  | 'remix-decoys'
  /** Page 1 holds only decoys; the original is on page 2. */
  | 'paged'
  /** The bot finds nothing, by link or by name. */
  | 'not-found'
  /** The bot delivers a karaoke recording (its Telegram attributes already say so). */
  | 'wrong-file'
  /** Telegram's attributes are right, the FLAC inside is another recording. */
  | 'mislabeled'
  /** The file comes long after the others. */
  | 'late'
  /** A 24-bit / 96 kHz file for "Max". */
  | 'hires'
  /** A file over 1 MiB: downloaded in two parts. */
  | 'big';

export interface E2ETrack {
  position: number;
  artists: string[];
  title: string;
  durationSec: number;
  spotify: FakeTrack;
  sim: SimTrack;
  scenario: Scenario;
}

/** Artists and titles: real-looking, distinct words, a few with features, accents and a slash. */
const NAMES: [string[], string][] = [
  [['Kerri Chandler'], 'Rain (Original Mix)'],
  [['Moodymann'], 'Shades of Jae'],
  [['Larry Heard'], 'Can You Feel It'],
  [['Theo Parrish'], 'Falling Up'],
  [['Floorplan'], 'Never Grow Old'],
  [['Daft Punk'], 'Teachers'],
  [['Nobody Known'], 'Imaginary Song'],
  [['Caribou'], 'Sun'],
  [['Four Tet'], 'Morning Side'],
  [['Róisín Murphy'], 'Simulation'],
  [['DJ Koze', 'Róisín Murphy'], 'Illumination'],
  [['Jamie xx'], 'Gosh'],
  [['Peggy Gou'], 'Starry Night'],
  [['Robin S'], 'Show Me Love'],
  [['Crystal Waters'], 'Gypsy Woman'],
  [['Masters at Work', 'India'], 'To Be in Love'],
  [['Ben UFO'], 'Untitled Dub'],
  [['Octave One'], 'Blackwater'],
  [['Inner City'], 'Good Life'],
  [['Frankie Knuckles'], 'Your Love'],
  [['Marshall Jefferson'], 'Move Your Body'],
  [['Nowhere Band'], 'Lost Tapes Nine'],
  [['Ron Trent'], 'Altered States'],
  [['Chez Damier'], 'Untitled'],
  [['Mr. Fingers'], 'Mystery of Love'],
  [['Kraftwerk'], 'Computer Love'],
  [['Aphex Twin'], 'Windowlicker'],
  [['Burial'], 'Archangel'],
  [['Underworld'], 'Born Slippy .NUXX'],
  [['Orbital'], 'Halcyon + On + On'],
  [['Leftfield'], 'Song of Life'],
  [['Sigur Rós'], 'Hoppípolla'],
  [['Bicep'], 'Glue'],
  [['Bonobo'], 'Kerala'],
  [['Silent Nobody'], 'Phantom Frequency'],
  [['Fred again..'], 'Marea (We’ve Lost Dancing)'],
  [['Overmono'], 'So U Kno'],
  [['AC/DC'], 'Thunderstruck'],
  [['Hot Chip'], 'Over and Over'],
  [['LCD Soundsystem'], 'All My Friends'],
];

const SCENARIOS: Record<number, Scenario> = {
  3: 'big',
  4: 'remix-decoys',
  5: 'late',
  7: 'not-found',
  9: 'hires',
  11: 'remix-decoys',
  12: 'paged',
  14: 'wrong-file',
  18: 'late',
  19: 'big',
  20: 'remix-decoys',
  22: 'not-found',
  25: 'paged',
  27: 'mislabeled',
  30: 'late',
  33: 'hires',
  35: 'not-found',
  37: 'remix-decoys',
};

export const PLAYLIST_ID = fakeId('e2e:friday-warmup');
export const PLAYLIST_NAME = 'Friday Warmup';

export function buildCatalogue(): E2ETrack[] {
  return NAMES.map(([artists, title], i) => {
    const position = i + 1;
    const scenario = SCENARIOS[position] ?? 'plain';
    const durationSec = 200 + ((position * 37) % 160);
    const spotifyId = fakeId(`e2e:track:${position}`);
    const isrc = `QZE2E26${String(position).padStart(5, '0')}`;
    const album = `${artists[0]} Album`;
    const spotify: FakeTrack = {
      id: spotifyId,
      name: title,
      artists,
      album: { id: fakeId(`e2e:album:${position}`), name: album, releaseDate: `${1990 + (position % 30)}-05-17` },
      durationMs: durationSec * 1000 + 400,
      isrc,
    };
    const lead = artists[0]!;
    const len = formatLength(durationSec);
    // Every menu has the usual decoys: a cover and a karaoke row of the same length.
    const decoys = [
      `Alon Renser - ${title} (${lead} Cover) [${len}]`,
      `Ameritz Countdown Karaoke - ${title} (In the Style of ${lead}) [Karaoke Version] [${len}]`,
    ];
    const sim: SimTrack = {
      id: `t${position}`,
      spotifyId,
      artists,
      title,
      durationSec,
      isrc,
      album,
      decoys,
      rowIndex: position % 3,
    };
    switch (scenario) {
      case 'remix-decoys':
        // Same length as the original, listed before it.
        sim.decoys = [`${lead} - ${title} (Club Remix) [${len}]`, `${lead} - ${title} (Radio Edit) [${formatLength(durationSec - 1)}]`, ...decoys];
        sim.rowIndex = 2;
        break;
      case 'paged':
        sim.decoys = [
          ...decoys,
          `Tribute Kings - ${title} (Made Famous by ${lead}) [${len}]`,
          `${lead} - ${title} (Extended Mix) [${formatLength(durationSec + 95)}]`,
          `${lead} - ${title} (Live at Fabric) [${formatLength(durationSec + 140)}]`,
          `Studio Allstars - ${title} (Originally Performed by ${lead}) [${len}]`,
        ];
        sim.rowIndex = 6; // rows per page: 5
        break;
      case 'not-found':
        sim.notFound = true;
        break;
      case 'wrong-file':
        sim.wrongFile = true;
        break;
      case 'mislabeled':
        sim.mislabeled = { artist: 'Some Other Band', title: 'A Different Song' };
        sim.bytes = 200_000; // both recordings padded to one size: only the tags inside differ
        break;
      case 'late':
        sim.fileDelayMs = 22_000;
        break;
      case 'hires':
        sim.bitDepth = 24;
        sim.sampleRate = 96_000;
        break;
      case 'big':
        sim.bytes = 1_300_000 + position; // two 1 MiB parts
        break;
      default:
        break;
    }
    return { position, artists, title, durationSec, spotify, sim, scenario };
  });
}

/** Tracks the bot really has, as their own recording: these must end in the library. */
export function findable(catalogue: E2ETrack[]): E2ETrack[] {
  return catalogue.filter((t) => !['not-found', 'wrong-file', 'mislabeled'].includes(t.scenario));
}
