/**
 * A probe's steps as a `crate-exchange/1` scenario, anonymised so the owner can attach it to a bug
 * report: each of our actions becomes a rule (`on`: what we sent or pressed), the bot messages and
 * edits that followed it become its replies (times from the action), message ids become refs, and
 * file ids, file references, phone numbers, the owner's names, long numbers (user and chat ids)
 * and Spotify share ids (`?si=`) are removed. The probe's own outcome is written as `expected`,
 * so the file replays as a test of the same outcome.
 */
import type { BotButton, BotMessage, DocumentFacts, InlineResultInfo } from '../../domain/telegram.js';
import type { TrackInfo } from '../../domain/track.js';
import { EXCHANGE_FORMAT, type ExchangeButton, type ExchangeMedia, type ExchangeScenarioInput } from './format.js';
import type { ProbeStep } from './recording-gateway.js';
import type { ReplayResult } from './replay.js';
import { sentForm } from './rules.js';

export interface RecordOptions {
  id: string;
  mode: 'chat' | 'inline';
  quality: 'high' | 'max';
  track: Pick<TrackInfo, 'artists' | 'title' | 'album' | 'durationMs' | 'isrc' | 'spotifyId'>;
  /** What the probe ended with (written as `expected`). */
  result: ReplayResult;
  /** Names of the owner (display name, username) to remove wherever they appear. */
  ownerNames: string[];
}

type Rule = NonNullable<ExchangeScenarioInput['bot']>[number];
type Reply = NonNullable<Rule['replies']>[number];

export interface Recording {
  scenario: ExchangeScenarioInput;
  /** Ref of the message whose file Crate would have downloaded, or null. */
  documentRef: string | null;
}

export function recordScenario(steps: ProbeStep[], options: RecordOptions): Recording {
  const scrub = scrubber(options.ownerNames);
  const refs = new Map<number, string>();
  const results = new Map<string, string>();
  let nextMessage = 1;
  let nextResult = 1;
  const bot: Rule[] = [];
  let current: { rule: Rule; at: number } | null = null;
  // Messages older than our first action are the chat's past, not this exchange.
  const firstOurs = steps.find((s) => s.kind === 'sent' || s.kind === 'chosen');
  const oldestId = firstOurs ? (firstOurs.kind === 'sent' ? firstOurs.messageId : firstOurs.message.id) : Number.POSITIVE_INFINITY;
  const downloaded = [...steps].reverse().find((s) => s.kind === 'download');
  let downloadedRef: string | null = null;

  const open = (on: Rule['on'], at: number, extra: Partial<Rule> = {}) => {
    current = { rule: { on, replies: [], ...extra }, at };
    bot.push(current.rule);
  };

  for (const step of steps) {
    switch (step.kind) {
      case 'sent':
        open({ sent: sentForm(step.text) }, step.at);
        break;
      case 'clicked':
        if (step.button) open({ clicked: scrub(step.button.text) }, step.at, step.toast ? { toast: scrub(step.toast) } : {});
        break;
      case 'inline': {
        const list = step.results.map((r) => {
          const ref = `r${nextResult++}`;
          results.set(`${r.queryId}/${r.resultId}`, ref);
          return inlineResult(ref, r, scrub);
        });
        open({ inline: 'any' }, step.at);
        current!.rule.replies!.push({ afterMs: Math.max(0, Math.round(step.answeredAt - step.at)), results: list });
        break;
      }
      case 'chosen': {
        const ref = [...results.entries()].find(([key]) => key.endsWith(`/${step.resultId}`))?.[1] ?? `r${nextResult++}`;
        refs.set(step.message.id, ref);
        open({ chosen: ref }, step.at);
        break;
      }
      case 'incoming': {
        if (!current || step.message.id < oldestId) break;
        const { rule, at } = current as { rule: Rule; at: number };
        const known = refs.get(step.message.id);
        if (step.message.out && known === undefined) break;
        const ref = known ?? `m${nextMessage++}`;
        refs.set(step.message.id, ref);
        const body = { ref, ...messageBody(step.message, scrub) };
        const afterMs = Math.max(0, Math.round(step.at - at));
        rule.replies!.push((known === undefined ? { afterMs, message: body } : { afterMs, edit: body }) as Reply);
        break;
      }
      case 'download':
        break;
    }
  }
  if (downloaded) downloadedRef = refs.get(downloaded.messageId) ?? null;

  const t = options.track;
  const scenario: ExchangeScenarioInput = {
    id: options.id,
    mode: options.mode,
    quality: options.quality,
    request: {
      artists: t.artists,
      title: t.title,
      ...(t.album ? { album: t.album } : {}),
      ...(t.durationMs !== null ? { durationMs: t.durationMs } : {}),
      ...(t.isrc ? { isrc: t.isrc } : {}),
      ...(t.spotifyId ? { spotifyUrl: `https://open.spotify.com/track/${t.spotifyId}` } : {}),
    },
    bot,
    expected: {
      outcome: options.result.outcome,
      document: options.result.outcome === 'download' ? downloadedRef : null,
      pause: options.result.pause,
      reason: options.result.reason,
    },
  };
  return { scenario, documentRef: downloadedRef };
}

/** The file `--record` writes. */
export function recordingFile(scenarios: ExchangeScenarioInput[], note: string): { format: typeof EXCHANGE_FORMAT; note: string; scenarios: ExchangeScenarioInput[] } {
  return { format: EXCHANGE_FORMAT, note, scenarios };
}

function messageBody(m: BotMessage, scrub: (s: string) => string): { text: string; buttons: ExchangeButton[][]; media?: ExchangeMedia } {
  const media = mediaOf(m, scrub);
  return { text: scrub(m.text), buttons: rowsOf(m.buttons, scrub), ...(media ? { media } : {}) };
}

function mediaOf(m: Pick<BotMessage, 'media' | 'document'>, scrub: (s: string) => string): ExchangeMedia | null {
  if (m.document) return documentMedia(m.document, scrub);
  if (m.media === 'photo') return { kind: 'photo' };
  if (m.media === 'other') return { kind: 'other' };
  return null;
}

/** The document's facts without its id or file reference. */
function documentMedia(d: DocumentFacts, scrub: (s: string) => string): ExchangeMedia {
  return {
    kind: 'document',
    fileName: d.fileName === null ? null : scrub(d.fileName),
    mimeType: d.mimeType,
    size: d.size,
    performer: d.performer,
    title: d.title,
    durationSec: d.durationSec,
  };
}

function inlineResult(ref: string, r: InlineResultInfo, scrub: (s: string) => string) {
  return {
    ref,
    title: r.title === null ? null : scrub(r.title),
    description: r.description === null ? null : scrub(r.description),
    // The message the result sends, with its keyboard (a "wait" button says the file is not ready).
    ...(r.text ? { text: scrub(r.text) } : {}),
    ...(r.buttons && r.buttons.length > 0 ? { buttons: rowsOf(r.buttons, scrub) } : {}),
    ...(r.document ? { media: documentMedia(r.document, scrub) } : {}),
  };
}

function rowsOf(buttons: BotButton[], scrub: (s: string) => string): ExchangeButton[][] {
  const rows: ExchangeButton[][] = [];
  for (const b of [...buttons].sort((x, y) => x.row - y.row || x.column - y.column)) {
    (rows[b.row] ??= []).push(buttonOf(b, scrub));
  }
  return rows.filter((r) => r !== undefined);
}

function buttonOf(b: BotButton, scrub: (s: string) => string): ExchangeButton {
  const text = scrub(b.text);
  if (b.url !== null) return { text, url: scrub(b.url) };
  if (b.data === null) return { text };
  const raw = Buffer.from(b.data, 'base64');
  const asText = raw.toString('utf8');
  // Text data is kept readable (and scrubbed the same way everywhere, so presses still match).
  if (Buffer.from(asText, 'utf8').equals(raw) && ![...asText].some((c) => c.charCodeAt(0) < 32)) return { text, data: scrub(asText) };
  return { text, dataBase64: b.data };
}

const PHONE = /(?<![\w+])\+?\d[\d\s().-]{8,}\d(?!\w)/g;
/**
 * Phone numbers have 10 to 15 digits ("2019 - 2020" has 8) and a "+" or separators; a bare run of
 * digits is an id (removed all the same, as a placeholder that stays the same everywhere).
 */
const isPhone = (m: string) => {
  const digits = m.replace(/\D/g, '').length;
  return digits >= 10 && digits <= 15 && /^\+|\D/.test(m);
};
const LONG_NUMBER = /(?<![\w])\d{7,}(?![\w])/g;
const SPOTIFY_SHARE = /([?&])si=[\w-]+&?/g;

/**
 * Removes what identifies the owner: phone numbers, their names, long numbers (Telegram user and
 * chat ids, invite codes made of digits) and Spotify share ids. A long number becomes the same
 * placeholder wherever it appears, so callback data that carries it still matches its button.
 */
export function scrubber(ownerNames: string[]): (text: string) => string {
  const numbers = new Map<string, string>();
  const names = [...new Set(ownerNames.flatMap(nameParts))].sort((a, b) => b.length - a.length);
  const nameRe = names.length > 0 ? new RegExp(`(?<![\\p{L}\\p{N}_])@?(?:${names.map(escapeRe).join('|')})(?![\\p{L}\\p{N}_])`, 'giu') : null;
  return (text) => {
    let out = text.replace(SPOTIFY_SHARE, (_m, sep: string) => (sep === '?' ? '?' : '&')).replace(/[?&]$/, '');
    out = out.replace(PHONE, (m) => (isPhone(m) ? '<phone>' : m));
    out = out.replace(LONG_NUMBER, (n) => {
      let p = numbers.get(n);
      if (!p) {
        p = `<id${numbers.size + 1}>`;
        numbers.set(n, p);
      }
      return p;
    });
    if (nameRe) out = out.replace(nameRe, '<owner>').replace(/<owner>(?:\s+<owner>)+/g, '<owner>');
    return out;
  };
}

/** "Ivan Petrov (@ivanp)" → the whole and each part of three letters or more. */
function nameParts(name: string): string[] {
  const whole = name.trim();
  const parts = whole.split(/[\s()@,]+/).filter((p) => p.length >= 3);
  return [whole, ...parts].filter((p) => p.length >= 3);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
