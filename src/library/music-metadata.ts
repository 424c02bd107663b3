/**
 * music-metadata (with strtok3, file-type and friends, ~80 modules) loaded when a file is first
 * read, not when the service starts: an idle `crate serve` has no file to read.
 */
export function loadMusicMetadata(): Promise<typeof import('music-metadata')> {
  return import('music-metadata');
}
