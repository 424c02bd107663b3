/**
 * What every chaos case proves about the library after the fault: nothing lost (each findable
 * track is in place exactly once, byte-identical to what the simulated bot served), nothing
 * misnamed (each file's own tags are its track's), no partial files left, nothing outside the
 * playlist folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TrackRecord } from '../../../src/domain/job.js';
import { isInside } from '../../../src/library/path-template.js';
import { readFlacFacts } from '../../../src/library/read-flac.js';
import type { SimulatedLosslessBot } from '../../fakes/simulated-lossless/core.js';

export class CaseFailure extends Error {
  override readonly name = 'CaseFailure';
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CaseFailure(message);
}

/** Every file below `dir`, relative, recursively. */
export function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(path.join(dir, f)).isFile());
}

export interface CleanOptions {
  /** Positions expected to end as something other than done. */
  notDone?: number[];
  /** The playlist's folder name as the owner sees it. */
  folder: string;
}

/** Throws a CaseFailure naming the first thing that is wrong; returns the number of files checked. */
export async function expectClean(music: string, tracks: TrackRecord[], bot: SimulatedLosslessBot, o: CleanOptions): Promise<number> {
  const notDone = new Set(o.notDone ?? []);
  const playlistDir = path.join(music, o.folder);
  const all = filesBelow(music);
  const leftovers = all.filter((f) => f.endsWith('.part') || f.endsWith('.part.meta') || f.includes('.crate-partial') || f.endsWith('.tmp'));
  check(leftovers.length === 0, `partial files left: ${leftovers.join(', ')}`);
  const libraryFlacs = all
    .filter((f) => f.endsWith('.flac') && !f.split(path.sep).includes('_quarantine'))
    .map((f) => path.join(music, f))
    .sort();
  const donePaths: string[] = [];
  for (const t of tracks) {
    const label = `#${t.position} ${t.artists.join(', ')} - ${t.title}`;
    if (notDone.has(t.position)) {
      check(t.state !== 'done', `${label} should not be done (it is ${t.state})`);
      check(t.filePath === null, `${label} has a file although it is ${t.state}: ${t.filePath}`);
      continue;
    }
    check(t.state === 'done' || t.state === 'skipped', `${label} is ${t.state} (${t.lastError ?? 'no error'}), expected done`);
    check(t.filePath !== null && existsSync(t.filePath), `${label}: file missing (${t.filePath})`);
    check(isInside(playlistDir, t.filePath), `${label}: file outside the playlist folder: ${t.filePath}`);
    donePaths.push(t.filePath);
    const facts = await readFlacFacts(t.filePath);
    check(facts.ok, `${label}: the stored file is not a complete FLAC`);
    check(
      facts.tags.title === t.title && facts.tags.artist === t.artists.join(', '),
      `${label}: misnamed — the file's own tags say "${facts.tags.artist} - ${facts.tags.title}"`,
    );
    const documentId = typeof t.receivedFile?.documentId === 'string' ? t.receivedFile.documentId : null;
    const doc = documentId ? bot.document(documentId) : undefined;
    if (doc) {
      const served = doc.image.read(0, doc.image.size);
      check(served.equals(readFileSync(t.filePath)), `${label}: bytes differ from what the bot served`);
    }
  }
  const sortedDone = [...donePaths].sort();
  check(new Set(sortedDone).size === sortedDone.length, 'two tracks share one file');
  check(
    JSON.stringify(libraryFlacs) === JSON.stringify(sortedDone),
    `library files differ from done tracks:\n  on disk: ${libraryFlacs.map((f) => path.relative(music, f)).join(' | ')}\n  done:    ${sortedDone.map((f) => path.relative(music, f)).join(' | ')}`,
  );
  return libraryFlacs.length;
}

/** Bot actions (what @LosslessRobot saw) inside [from, to). */
export function actionsBetween(bot: SimulatedLosslessBot, from: number, to: number) {
  return bot.actions().filter((a) => !a.flooded && a.at >= from && a.at < to);
}
