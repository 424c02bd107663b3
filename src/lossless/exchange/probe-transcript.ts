/**
 * A probe's steps in plain words, verbatim: texts as the bot wrote them, every button with its row
 * and column (and whether it presses or links), media facts, toasts, times from the start, and
 * under each bot message what Crate's protocol reads in it.
 */
import type { BotMessage, InlineResultInfo } from '../../domain/telegram.js';
import { classifyReply, describeDocument, formatDuration, type BotReply } from '../protocol.js';
import type { ProbeStep } from './recording-gateway.js';

export interface TranscriptOptions {
  /** Texts Crate sent (query, artists, title): the protocol strips them before reading signals. */
  echo: string[];
  /** Time the probe started (the steps' clock). */
  startedAt: number;
}

export function transcript(steps: ProbeStep[], options: TranscriptOptions): string[] {
  const lines: string[] = [];
  for (const step of steps) {
    const t = `+${((step.at - options.startedAt) / 1000).toFixed(1)} s`;
    switch (step.kind) {
      case 'sent':
        lines.push(`${t}  → sent (#${step.messageId}): ${quote(step.text)}`);
        break;
      case 'clicked': {
        const b = step.button ? `${quote(step.button.text)} (row ${step.button.row + 1}, column ${step.button.column + 1})` : 'a button that is no longer there';
        lines.push(`${t}  → pressed ${b} on #${step.messageId}`);
        lines.push(step.error ? `        press failed: ${step.error}` : `        toast: ${step.toast ? quote(step.toast) : '(none)'}`);
        break;
      }
      case 'inline':
        lines.push(`${t}  → inline query ${quote(step.query)}: ${step.results.length} result${step.results.length === 1 ? '' : 's'} after ${((step.answeredAt - step.at) / 1000).toFixed(1)} s`);
        step.results.forEach((r, i) => {
          lines.push(`        ${i + 1}. ${inlineResult(r)}`);
          if (r.text) lines.push(`           text: ${quote(r.text)}`);
          for (const b of r.buttons ?? []) lines.push(`           [row ${b.row + 1}, column ${b.column + 1}] ${quote(b.text)} (${b.url !== null ? `link ${b.url}` : 'button'})`);
        });
        break;
      case 'chosen':
        lines.push(`${t}  → sent inline result ${quote(step.resultId)} as #${step.message.id}`);
        lines.push(...messageLines(step.message, options.echo));
        break;
      case 'incoming':
        lines.push(`${t}  ← ${step.how === 'new' ? 'new message' : step.how === 'edited' ? 'edited' : 'read from the chat'} #${step.message.id}${step.message.out ? ' (ours)' : ''}`);
        lines.push(...messageLines(step.message, options.echo));
        break;
      case 'download':
        lines.push(`${t}  ✓ Crate would download the file of #${step.messageId} now (a probe does not download)`);
        break;
    }
  }
  return lines;
}

function messageLines(m: BotMessage, echo: string[]): string[] {
  const out: string[] = [];
  out.push(m.text === '' ? '        text: (empty)' : `        text: ${quote(m.text)}`);
  for (const b of [...m.buttons].sort((x, y) => x.row - y.row || x.column - y.column)) {
    const what = b.url !== null ? `link ${b.url}` : b.data !== null ? 'button' : 'other button';
    out.push(`        [row ${b.row + 1}, column ${b.column + 1}] ${quote(b.text)} (${what})`);
  }
  if (m.media !== 'none' || m.document) {
    out.push(`        media: ${m.document ? `document ${documentLine(m.document)}` : m.media}`);
  }
  out.push(`        Crate reads: ${reading(classifyReply(m, { echo }))}`);
  return out;
}

/** What the protocol makes of a message, in a few words. */
export function reading(reply: BotReply): string {
  switch (reply.kind) {
    case 'menu': {
      const page = reply.page ? `, page ${reply.page.current} of ${reply.page.total}` : '';
      return `search menu (${reply.trackIndexes.length} track row${reply.trackIndexes.length === 1 ? '' : 's'}${page}${reply.next ? ', a next-page button' : ''})`;
    }
    case 'quality': {
      const offered = (['low', 'high', 'max'] as const).filter((q) => reply[q]).join(', ');
      return `quality menu (${offered || 'no known quality'})`;
    }
    case 'document':
      return `the file (${documentLine(reply.document)})`;
    case 'not_found':
      return 'nothing found';
    case 'wait':
      return `please wait (${quote(reply.text)})`;
    case 'promo':
      return 'Premium offer: the free quota is probably spent (a job pauses)';
    case 'safety':
      return `a ${reply.signal} notice (a job pauses)`;
    case 'own':
      return 'our own message';
    case 'unknown':
      return 'not understood';
    default:
      // Reply classes added later still print (by name).
      return (reply as { kind: string }).kind;
  }
}

function documentLine(d: NonNullable<BotMessage['document']>): string {
  const tags = [d.performer ? `performer ${quote(d.performer)}` : null, d.title ? `title ${quote(d.title)}` : null, d.durationSec !== null ? formatDuration(d.durationSec) : null];
  return [describeDocument(d), ...tags].filter(Boolean).join(', ');
}

function inlineResult(r: InlineResultInfo): string {
  const parts = [r.title ? quote(r.title) : '(no title)', r.description ? quote(r.description) : null, r.document ? `document ${documentLine(r.document)}` : null];
  return parts.filter(Boolean).join(' · ');
}

function quote(text: string): string {
  return JSON.stringify(text);
}
