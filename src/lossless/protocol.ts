/**
 * Pure classification of @LosslessRobot replies (ARCHITECTURE.md §3). Everything the protocol
 * knows about the bot's wording lives here, so a change of the bot's texts is a change of one file.
 */
import type { BotButton, BotMessage, DocumentFacts } from '../domain/telegram.js';
import { classifyButton } from './menu-row.js';

export interface MenuReply {
  kind: 'menu';
  /** All buttons in reading order (row, then column): the list the picker indexes into. */
  buttons: BotButton[];
  /** Indexes (into `buttons`) of rows that look like tracks rather than service buttons. */
  trackIndexes: number[];
  next: BotButton | null;
  prev: BotButton | null;
  page: { current: number; total: number } | null;
  downloadPage: BotButton | null;
}

export interface QualityReply {
  kind: 'quality';
  low: BotButton | null;
  high: BotButton | null;
  max: BotButton | null;
  back: BotButton | null;
}

export type BotReply =
  | MenuReply
  | QualityReply
  | { kind: 'promo'; text: string }
  | { kind: 'safety'; signal: 'quota' | 'restricted'; text: string }
  | { kind: 'not_found'; text: string }
  | { kind: 'wait'; text: string }
  | { kind: 'document'; document: DocumentFacts }
  /** Our own outgoing message (the gateway may echo it); never a reply. */
  | { kind: 'own' }
  | { kind: 'unknown'; text: string };

export interface ClassifyContext {
  /**
   * Texts we sent (query, artist, title): removed before looking for quota/ban words, so a track
   * called "Limit To Your Love" echoed in a caption is not mistaken for a quota message.
   */
  echo?: string[];
}

const PROMO = /premium|премиум/i;
const WAIT = /подождите|скоро скачается|please wait|downloading/i;
const NOT_FOUND = /ничего не найдено|не найден|нет результатов|not found|no results|nothing found/i;
const QUOTA =
  /(?<!\p{L})(лимит\p{L}*|limit(s|ed)?|quota|исчерпан\p{L}*|превышен\p{L}*|exceeded|too many requests|слишком много|попробуйте завтра|try again tomorrow)(?!\p{L})/iu;
const RESTRICTED =
  /(?<!\p{L})(заблокир\p{L}*|блокир\p{L}*|бан\p{L}*|banned|ban|blocked|restricted|ограничен\p{L}*|spam|спам\p{L}*)(?!\p{L})/iu;
const DOWNLOAD_PAGE = /скачать страницу|download page|^💾/i;
const NEXT = /^(→|➡️?|▶️?|»|>|next|далее|вперёд|вперед)$/i;
const PREV = /^(←|⬅️?|◀️?|«|<|prev|назад)$/i;
const PAGE_OF = /^(\d+)\s*\/\s*(\d+)$/;
const PAGE_MARKER = /^(◉|○|●|•|·|◎)$/;
const Q_LOW = /📼|\blow\b/i;
const Q_HIGH = /💿|\bhigh\b|16\s*bit/i;
const Q_MAX = /📀|\bmax\b|24\s*bit/i;
const Q_BACK = /назад|\bback\b/i;
const DURATION_SUFFIX = /\[\d{1,2}:\d{2}(:\d{2})?\]\s*$/;
const AUDIO_NAME = /\.(flac|mp3|m4a|alac|wav|aiff?|ogg|opus)$/i;

/** Buttons in reading order, whatever order the adapter produced them in. */
export function orderedButtons(message: Pick<BotMessage, 'buttons'>): BotButton[] {
  return [...message.buttons].sort((a, b) => a.row - b.row || a.column - b.column);
}

export function classifyReply(message: BotMessage, context: ClassifyContext = {}): BotReply {
  // Our own messages matter only once the bot turns them into something (inline results get edited).
  if (message.out && message.document === null && message.buttons.length === 0) return { kind: 'own' };
  if (message.document !== null && isAudioDocument(message.document)) return { kind: 'document', document: message.document };

  const buttons = orderedButtons(message).filter((b) => b.text.trim() !== '');
  const text = message.text.trim();
  const words = stripEcho(text, context.echo ?? []);

  if (buttons.length > 0) {
    const quality = parseQuality(buttons);
    if (quality) return quality;
    const rowsWithLength = buttons.some((b) => DURATION_SUFFIX.test(b.text));
    const waitButton = buttons.find((b) => WAIT.test(b.text));
    if (waitButton && !rowsWithLength) return { kind: 'wait', text: waitButton.text };
    const menu = parseMenu(buttons);
    if (menu.trackIndexes.length > 0 || menu.next || menu.page || menu.downloadPage) return menu;
    if (WAIT.test(text)) return { kind: 'wait', text };
    const safety = safetySignal(words);
    // The premium button is the bot's own quota signal; its text ("free limit spent") only explains it.
    if (buttons.every((b) => PROMO.test(b.text)) && safety !== 'restricted') {
      return { kind: 'promo', text: text || buttons.map((b) => b.text).join(' | ') };
    }
    if (safety) return { kind: 'safety', signal: safety, text };
    return { kind: 'unknown', text: describe(text, buttons) };
  }

  const safety = safetySignal(words);
  if (safety) return { kind: 'safety', signal: safety, text };
  if (PROMO.test(words)) return { kind: 'promo', text };
  if (message.media === 'photo') return { kind: 'not_found', text };
  if (WAIT.test(text)) return { kind: 'wait', text };
  if (NOT_FOUND.test(words)) return { kind: 'not_found', text };
  if (message.document !== null) return { kind: 'unknown', text: `a non-audio document (${describeDocument(message.document)})` };
  return { kind: 'unknown', text: text || `(empty ${message.media} message)` };
}

/** Text of a callback answer (the toast after a click) that means stop. */
export function classifyCallbackAnswer(answer: string | null, context: ClassifyContext = {}): 'quota' | 'restricted' | 'promo' | null {
  if (!answer) return null;
  const words = stripEcho(answer, context.echo ?? []);
  return safetySignal(words) ?? (PROMO.test(words) ? 'promo' : null);
}

export function parseQuality(buttons: BotButton[]): QualityReply | null {
  // A quality menu has no track rows; a track called "High" would carry a [m:ss] suffix.
  if (buttons.some((b) => DURATION_SUFFIX.test(b.text))) return null;
  const find = (re: RegExp, exclude: RegExp[] = []) =>
    buttons.find((b) => re.test(b.text) && !exclude.some((x) => x.test(b.text))) ?? null;
  const high = find(Q_HIGH, [Q_MAX]);
  const max = find(Q_MAX);
  if (!high && !max) return null;
  return { kind: 'quality', low: find(Q_LOW, [Q_HIGH, Q_MAX]), high, max, back: find(Q_BACK) ?? buttons.find((b) => b.text.trim().startsWith('←')) ?? null };
}

export function parseMenu(buttons: BotButton[]): MenuReply {
  const trackIndexes: number[] = [];
  let next: BotButton | null = null;
  let prev: BotButton | null = null;
  let page: MenuReply['page'] = null;
  let downloadPage: BotButton | null = null;
  buttons.forEach((b, i) => {
    const t = b.text.trim();
    const pageOf = PAGE_OF.exec(t);
    if (pageOf) page = { current: Number(pageOf[1]), total: Number(pageOf[2]) };
    else if (NEXT.test(t)) next = b;
    else if (PREV.test(t)) prev = b;
    else if (PAGE_MARKER.test(t)) return;
    else if (DOWNLOAD_PAGE.test(t)) downloadPage = b;
    // The picker's own reading of a row decides what a track row is, so both agree.
    else if (b.data !== null && classifyButton(t).kind === 'track') trackIndexes.push(i);
  });
  return { kind: 'menu', buttons, trackIndexes, next, prev, page, downloadPage };
}

export function isAudioDocument(doc: DocumentFacts): boolean {
  if (doc.mimeType && /^audio\//i.test(doc.mimeType)) return true;
  if (doc.fileName && AUDIO_NAME.test(doc.fileName)) return true;
  return doc.performer !== null || doc.durationSec !== null;
}

/** The row text we would show for a document: "Performer - Title [m:ss]", like the bot's menu rows. */
export function documentLabel(doc: Pick<DocumentFacts, 'performer' | 'title' | 'fileName' | 'durationSec'>): string {
  const name = doc.performer && doc.title ? `${doc.performer} - ${doc.title}` : (doc.title ?? doc.fileName?.replace(AUDIO_NAME, '') ?? '');
  return doc.durationSec !== null ? `${name} [${formatDuration(doc.durationSec)}]` : name;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

export function describeDocument(doc: DocumentFacts): string {
  return [doc.fileName ?? 'no name', doc.mimeType ?? 'no type', `${doc.size} bytes`].join(', ');
}

function safetySignal(text: string): 'quota' | 'restricted' | null {
  if (!text) return null;
  if (RESTRICTED.test(text)) return 'restricted';
  if (QUOTA.test(text)) return 'quota';
  return null;
}

function stripEcho(text: string, echo: string[]): string {
  let out = text;
  for (const e of echo) {
    const needle = e.trim();
    if (needle.length < 2) continue;
    out = out.split(needle).join(' ');
    // The bot may echo in another case; compare case-insensitively too.
    const lower = out.toLowerCase();
    const at = lower.indexOf(needle.toLowerCase());
    if (at >= 0) out = out.slice(0, at) + ' ' + out.slice(at + needle.length);
  }
  return out;
}

function describe(text: string, buttons: BotButton[]): string {
  const labels = buttons.map((b) => `[${b.text}]`).join(' ');
  return [text, labels].filter(Boolean).join(' ');
}
