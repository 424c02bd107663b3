/**
 * Pure classification of @LosslessRobot replies (ARCHITECTURE.md §3). Everything the protocol
 * knows about the bot's wording lives here, so a change of the bot's texts is a change of one file.
 */
import type { BotButton, BotMessage, DocumentFacts } from '../domain/telegram.js';
import { classifyButton } from './menu-row.js';
import { classifyText, MAX_TEXT_CHARS } from './reply-texts.js';

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
  /** `quota`: the text says the free quota is spent (the promo replaced a result for sure). */
  | { kind: 'promo'; text: string; quota: boolean }
  | { kind: 'safety'; signal: 'quota' | 'restricted'; text: string }
  | { kind: 'not_found'; text: string }
  /** This track cannot be had (rights holder, region): not found for it, nothing else stops. */
  | { kind: 'unavailable'; text: string }
  /** The file is coming ("подождите, трек скоро скачается", "Скачиваю: 45%"). */
  | { kind: 'wait'; text: string }
  /** The answer is coming ("🔍 Ищу трек…"): its edit or the next message is the real reply. */
  | { kind: 'interim'; text: string }
  /** The bot wants us slower; `seconds` when it said how long. */
  | { kind: 'throttle'; text: string; seconds: number | null }
  /** The bot gates its use (subscribe to a channel, press start): only the owner can open it. */
  | { kind: 'gate'; text: string; links: { text: string; url: string }[] }
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
  /** The message answers our /start ("press start" is no gate then). */
  answeringStart?: boolean;
}

const PROMO = /premium|премиум/i;
const WAIT = /подождите|скоро скачается|please wait|загружается|скачивается/i;
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
/** Telegram allows 100 buttons and 64-character labels; anything beyond is not read. */
export const MAX_BUTTONS = 200;
const MAX_BUTTON_CHARS = 1024;

/** Buttons in reading order, whatever order the adapter produced them in (bounded). */
export function orderedButtons(message: Pick<BotMessage, 'buttons'>): BotButton[] {
  return message.buttons
    .slice(0, MAX_BUTTONS)
    .map((b) => (b.text.length > MAX_BUTTON_CHARS ? { ...b, text: b.text.slice(0, MAX_BUTTON_CHARS) } : b))
    .sort((a, b) => a.row - b.row || a.column - b.column);
}

export function classifyReply(message: BotMessage, context: ClassifyContext = {}): BotReply {
  // Our own messages matter only once the bot turns them into something (inline results get edited).
  if (message.out && message.document === null && message.buttons.length === 0) return { kind: 'own' };
  const buttons = orderedButtons(message).filter((b) => b.text.trim() !== '');
  const text = message.text.slice(0, MAX_TEXT_CHARS).trim();
  const words = stripEcho(text, context.echo ?? []);
  const waitButton = buttons.find((b) => WAIT.test(b.text));

  if (message.document !== null && isAudioDocument(message.document)) {
    // A document still showing the wait button (or saying it is pending) is a placeholder of the
    // file, not the file: its edit brings the real one.
    if (waitButton) return { kind: 'wait', text: waitButton.text };
    if (words && classifyText(words)?.kind === 'wait' && !/flac/i.test(words)) return { kind: 'wait', text };
    return { kind: 'document', document: message.document };
  }

  const links = buttons.filter((b) => b.url !== null).map((b) => ({ text: b.text, url: b.url! }));
  const telegramLink = links.some((l) => /^(https?:\/\/)?(t\.me|telegram\.me)\//i.test(l.url) || l.url.startsWith('tg:'));
  const facts = { telegramLink, ...(context.answeringStart ? { answeringStart: true } : {}) };

  if (buttons.length > 0) {
    const quality = parseQuality(buttons);
    if (quality) return quality;
    const rowsWithLength = buttons.some((b) => DURATION_SUFFIX.test(b.text));
    if (waitButton && !rowsWithLength) return { kind: 'wait', text: waitButton.text };
    // Real results win over anything beside them (a promo button under the rows is ignored).
    const menu = parseMenu(buttons);
    if (menu.trackIndexes.length > 0 || menu.next || menu.page || menu.downloadPage) return menu;
  }
  const byText = classifyText(words, facts);
  // A premium button is the bot's own promo: with its "free limit spent" text it replaced a result.
  const promoButtons = buttons.length > 0 && buttons.every((b) => PROMO.test(b.text));
  switch (byText?.kind) {
    case 'gate':
      return { kind: 'gate', text, links };
    case 'restricted':
      return { kind: 'safety', signal: 'restricted', text };
    case 'unavailable':
      return { kind: 'unavailable', text };
    case 'throttle':
      return { kind: 'throttle', text, seconds: byText.seconds };
    case 'quota':
      return promoButtons ? { kind: 'promo', text, quota: true } : { kind: 'safety', signal: 'quota', text };
    case 'promo':
      return { kind: 'promo', text, quota: false };
    default:
      break;
  }
  if (promoButtons) return { kind: 'promo', text: text || buttons.map((b) => b.text).join(' | '), quota: false };
  // "Nothing found" is a photo; a button beside it (another source, the bot's channel) changes nothing.
  if (message.media === 'photo') return { kind: 'not_found', text };
  // Only link buttons to Telegram and no words we know: the bot sends us somewhere before it answers.
  if (buttons.length > 0 && telegramLink && buttons.every((b) => b.url !== null || /провер|check|✅|🔄/iu.test(b.text)) && byText === null) {
    return { kind: 'gate', text, links };
  }
  if (byText?.kind === 'not_found') return { kind: 'not_found', text };
  if (byText?.kind === 'wait') return { kind: 'wait', text };
  if (byText?.kind === 'interim') return { kind: 'interim', text };
  if (message.document !== null) return { kind: 'unknown', text: `a non-audio document (${describeDocument(message.document)})` };
  return { kind: 'unknown', text: buttons.length > 0 ? describe(text, buttons) : text || `(empty ${message.media} message)` };
}

/** What a toast (the callback answer after a click) changes: null when it changes nothing. */
export type ToastReading =
  | { kind: 'quota' | 'restricted' | 'promo' | 'gate' | 'unavailable' | 'stale'; text: string }
  | { kind: 'throttle'; text: string; seconds: number | null };

/** Text of a callback answer (the toast after a click) that changes the step; informational ones ("Загрузка…") are null. */
export function readToast(answer: string | null, context: ClassifyContext = {}): ToastReading | null {
  if (!answer) return null;
  const text = answer.slice(0, 1024).trim();
  if (STALE_BUTTON.test(text)) return { kind: 'stale', text };
  const words = stripEcho(text, context.echo ?? []);
  const c = classifyText(words);
  switch (c?.kind) {
    case 'quota':
    case 'restricted':
    case 'promo':
    case 'gate':
    case 'unavailable':
      return { kind: c.kind, text };
    case 'throttle':
      return { kind: 'throttle', text, seconds: c.seconds };
    default:
      return null;
  }
}

/** The older reading of a toast: only what stops the job. */
export function classifyCallbackAnswer(answer: string | null, context: ClassifyContext = {}): 'quota' | 'restricted' | 'promo' | null {
  const t = readToast(answer, context);
  return t && (t.kind === 'quota' || t.kind === 'restricted' || t.kind === 'promo') ? t.kind : null;
}

const STALE_BUTTON = /кнопка устарела|устарел\p{L}*|expired|outdated|no longer valid|недействительн\p{L}*/iu;

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
