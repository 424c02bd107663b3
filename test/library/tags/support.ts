import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IMAGE_FIXTURES } from '../../fixtures/paths.js';

/** Decoded PCM of a FLAC by the reference decoder, hashed: the audio, independent of our parser. */
export function pcmHash(file: string): string {
  const pcm = execFileSync('flac', ['-d', '-s', '-c', '--force-raw-format', '--endian=little', '--sign=signed', file], { maxBuffer: 256 << 20 });
  return createHash('sha256').update(pcm).digest('hex');
}

/** `metaflac --export-tags-to=-` as KEY → values. */
export function metaflacTags(file: string): Record<string, string[]> {
  const out = execFileSync('metaflac', ['--export-tags-to=-', file], { encoding: 'utf8' });
  const tags: Record<string, string[]> = {};
  for (const line of out.split('\n').filter(Boolean)) {
    const eq = line.indexOf('=');
    (tags[line.slice(0, eq).toUpperCase()] ??= []).push(line.slice(eq + 1));
  }
  return tags;
}

export function metaflacList(file: string): string {
  return execFileSync('metaflac', ['--list', file], { encoding: 'utf8' });
}

/** A real FLAC from the reference encoder: `sox` makes a tone, `flac` encodes it with the given padding. */
export function encodeTone(dir: string, name: string, o: { seconds?: number; rate?: number; bits?: 16 | 24; padding?: number; tags?: string[] } = {}): string {
  const wav = path.join(dir, `${name}.wav`);
  const flac = path.join(dir, `${name}.flac`);
  execFileSync('sox', ['-n', '-r', String(o.rate ?? 44100), '-b', String(o.bits ?? 16), '-c', '2', wav, 'synth', String(o.seconds ?? 2), 'sine', '440-880']);
  execFileSync('flac', ['-s', '-f', `--padding=${o.padding ?? 4096}`, ...(o.tags ?? []).map((t) => `--tag=${t}`), '-o', flac, wav]);
  return flac;
}

export const cover640 = () => readFileSync(path.join(IMAGE_FIXTURES, 'cover-640.jpg'));
export const cover300 = () => readFileSync(path.join(IMAGE_FIXTURES, 'cover-300.jpg'));
export const coverPng = () => readFileSync(path.join(IMAGE_FIXTURES, 'cover-48.png'));
