import type { BotMessage } from '../domain/telegram.js';

/**
 * One version of a bot message (its edit date and what it shows): the same version reaches us
 * several times (update event, poll, each track's history read after a restart) and must be
 * acted on once.
 */
export function messageVersion(m: BotMessage): string {
  return [m.editDate ?? 0, m.media, m.document?.id ?? '', m.text, m.buttons.map((b) => b.text).join('|')].join('§');
}

/** The edit date a version was taken at (0 for a message never edited). */
export function editDateOfVersion(version: string): number {
  return Number(version.slice(0, version.indexOf('§'))) || 0;
}
