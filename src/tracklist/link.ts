/**
 * The `file:` link a track list job carries (light: no parser loaded, so `crate --help` stays fast).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export function isTrackListLink(link: string): boolean {
  return /^file:\/\//i.test(link.trim());
}

export function trackListLink(file: string, name?: string): string {
  const url = pathToFileURL(path.resolve(file));
  if (name !== undefined && name.trim() !== '') url.searchParams.set('name', name.trim());
  return url.toString();
}
