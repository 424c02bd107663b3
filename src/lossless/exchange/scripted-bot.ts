/**
 * A `crate-exchange/1` scenario played as the external bot, behind the product's own
 * TelegramGateway interface: what Crate sends or presses is matched against the scenario's rules
 * (in order; each fires once unless `repeat`), and the matching rule's replies appear on the
 * given clock (virtual in replays) as new or edited bot messages. No Telegram, no network.
 *
 * Downloads write nothing: a recording has no bytes. `downloadDocument` records which message
 * Crate would download and reports its size, which is all a replay needs to say "download".
 */
import type {
  BotMessage,
  DocumentFacts,
  DownloadResult,
  IncomingHandler,
  InlineResultInfo,
  MediaKind,
  SessionStatus,
  TelegramGateway,
} from '../../domain/telegram.js';
import type { Clock } from '../../engine/ports.js';
import type { ExchangeMedia, ExchangeMessage, ExchangeResult, ExchangeRule, ExchangeScenario } from './format.js';
import { buttonsOf, ExchangeRules, sentForm, toastOf, type BotEvent, type SentForm } from './rules.js';

export { sentForm, type SentForm };

/** What Crate did, in order, as the scenario's bot saw it. */
export type ScriptedAction =
  | { kind: 'sent'; at: number; text: string; form: SentForm; messageId: number }
  | { kind: 'clicked'; at: number; text: string | null; messageId: number; ref: string | null }
  | { kind: 'inline'; at: number; query: string }
  | { kind: 'chosen'; at: number; ref: string; messageId: number }
  | { kind: 'download'; at: number; messageId: number; ref: string | null };

const BOT_USER_ID = 7_000_000_001;

export interface ScriptedBotOptions {
  clock: Clock;
  /** Username the scenario's bot answers to (default LosslessRobot). */
  username?: string;
}

export class ScriptedBot implements TelegramGateway {
  readonly actions: ScriptedAction[] = [];
  private readonly rules: ExchangeRules;
  private readonly messages = new Map<number, BotMessage>();
  private readonly refToId = new Map<string, number>();
  private readonly idToRef = new Map<number, string>();
  private readonly results = new Map<string, ExchangeResult>();
  private readonly listeners = new Set<IncomingHandler>();
  private readonly timers = new Set<AbortController>();
  private nextMessageId = 1;
  private nextQueryId = 1;
  private connected = false;

  constructor(
    readonly scenario: ExchangeScenario,
    private readonly options: ScriptedBotOptions,
  ) {
    this.rules = new ExchangeRules(scenario);
  }

  // ───────────────────────────── TelegramGateway ─────────────────────────────

  async connect(): Promise<void> {
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  async status(): Promise<SessionStatus> {
    return { state: this.connected ? 'ready' : 'offline', user: 'replay', detail: `scenario ${this.scenario.id}` };
  }

  async resolveBot(username: string): Promise<{ id: string; username: string }> {
    return { id: String(BOT_USER_ID), username: username.replace(/^@/, '') || (this.options.username ?? 'LosslessRobot') };
  }

  async sendText(text: string): Promise<BotMessage> {
    const ours = this.post({ out: true, text });
    const form = sentForm(text);
    this.actions.push({ kind: 'sent', at: this.now(), text, form, messageId: ours.id });
    this.fire({ kind: 'sent', form, text });
    return ours;
  }

  async clickButton(messageId: number, data: string): Promise<{ message: string | null }> {
    const message = this.messages.get(messageId);
    const button = message?.buttons.find((b) => b.data === data) ?? null;
    this.actions.push({ kind: 'clicked', at: this.now(), text: button?.text ?? null, messageId, ref: this.idToRef.get(messageId) ?? null });
    // Telegram answers a press of a button that is not (or no longer) there with nothing.
    if (!button) return { message: null };
    const rule = this.fire({ kind: 'clicked', text: button.text });
    return { message: rule ? toastOf(rule) : null };
  }

  async inlineQuery(query: string): Promise<InlineResultInfo[]> {
    this.actions.push({ kind: 'inline', at: this.now(), query });
    const rule = this.rules.fire({ kind: 'inline', query });
    if (!rule) return [];
    const queryId = String(this.nextQueryId++);
    let delay = 0;
    const out: InlineResultInfo[] = [];
    for (const reply of rule.replies) {
      if (!reply.results) continue;
      delay = Math.max(delay, reply.afterMs);
      for (const r of reply.results) {
        this.results.set(`${queryId}/${r.ref}`, r);
        out.push(inlineInfo(queryId, r, this.documentId(r.ref)));
      }
    }
    // Messages or edits beside the results (rare) still appear in the chat.
    this.schedule(rule, (reply) => !reply.results);
    if (delay > 0) await this.options.clock.sleep(delay);
    return out;
  }

  async sendInlineResult(result: InlineResultInfo): Promise<BotMessage> {
    const spec = this.results.get(`${result.queryId}/${result.resultId}`);
    if (!spec) throw new Error(`QUERY_ID_INVALID: the scenario offered no inline result ${result.queryId}/${result.resultId}`);
    const ours = this.post({ out: true, ...view(spec, null, this.documentId(spec.ref)) });
    // The result's ref names this message from now on: the bot's edits of it say `edit: { ref }`.
    this.refToId.set(spec.ref, ours.id);
    this.idToRef.set(ours.id, spec.ref);
    this.actions.push({ kind: 'chosen', at: this.now(), ref: spec.ref, messageId: ours.id });
    this.fire({ kind: 'chosen', ref: spec.ref });
    return ours;
  }

  async history(options: { minId: number; limit: number }): Promise<BotMessage[]> {
    return [...this.messages.values()].filter((m) => m.id > options.minId).slice(0, options.limit).map(copy);
  }

  async getMessages(ids: number[]): Promise<(BotMessage | null)[]> {
    return ids.map((id) => {
      const m = this.messages.get(id);
      return m ? copy(m) : null;
    });
  }

  onMessage(handler: IncomingHandler): () => void {
    this.listeners.add(handler);
    return () => this.listeners.delete(handler);
  }

  async downloadDocument(messageId: number, targetPath: string): Promise<DownloadResult> {
    const message = this.messages.get(messageId);
    if (!message?.document) throw new Error(`message ${messageId} has no document`);
    this.actions.push({ kind: 'download', at: this.now(), messageId, ref: this.idToRef.get(messageId) ?? null });
    return { path: targetPath, sizeBytes: message.document.size, resumedFromBytes: 0 };
  }

  // ───────────────────────────── for the replay ─────────────────────────────

  /** The scenario ref of a message (bot messages and chosen inline results), or null for ours. */
  refOf(messageId: number): string | null {
    return this.idToRef.get(messageId) ?? null;
  }

  /** Bot replies still scheduled. */
  pending(): number {
    return this.timers.size;
  }

  /** Cancels every scheduled reply and forgets the listeners. */
  close(): void {
    for (const t of this.timers) t.abort();
    this.timers.clear();
    this.listeners.clear();
  }

  // ───────────────────────────── the bot's side ─────────────────────────────

  private fire(event: BotEvent): ExchangeRule | null {
    const rule = this.rules.fire(event);
    if (!rule) return null;
    this.schedule(rule, () => true);
    return rule;
  }

  /** Times are from the action that fired the rule (not cumulative). */
  private schedule(rule: ExchangeRule, which: (reply: ExchangeRule['replies'][number]) => boolean): void {
    for (const reply of rule.replies) {
      if (!which(reply)) continue;
      const { message, edit } = reply;
      if (message) this.later(reply.afterMs, () => this.botMessage(message));
      else if (edit) this.later(reply.afterMs, () => this.botEdit(edit));
    }
  }

  private later(ms: number, fn: () => void): void {
    const handle = new AbortController();
    this.timers.add(handle);
    this.options.clock.sleep(ms, handle.signal).then(
      () => {
        this.timers.delete(handle);
        fn();
      },
      () => this.timers.delete(handle),
    );
  }

  private botMessage(spec: ExchangeMessage): void {
    const message = this.post({ out: false, ...view(spec, null, this.documentId(spec.ref)) });
    this.refToId.set(spec.ref, message.id);
    this.idToRef.set(message.id, spec.ref);
    this.emit(message, 'new');
  }

  /** An edit replaces text and buttons (absent = none, as a Telegram edit does); media stays unless given. */
  private botEdit(spec: ExchangeMessage): void {
    const id = this.refToId.get(spec.ref);
    const message = id === undefined ? undefined : this.messages.get(id);
    // The message was never posted (the rule that makes it did not fire): nothing to edit.
    if (!message) return;
    Object.assign(message, view(spec, message, this.documentId(spec.ref)), { editDate: Math.floor(this.now() / 1000) });
    this.emit(copy(message), 'edited');
  }

  private post(m: Partial<BotMessage> & { out: boolean }): BotMessage {
    const message: BotMessage = {
      id: this.nextMessageId++,
      date: Math.floor(this.now() / 1000),
      editDate: null,
      out: m.out,
      text: m.text ?? '',
      buttons: m.buttons ?? [],
      media: m.media ?? 'none',
      document: m.document ?? null,
      replyToMessageId: null,
    };
    this.messages.set(message.id, message);
    return copy(message);
  }

  private emit(message: BotMessage, kind: 'new' | 'edited'): void {
    for (const l of [...this.listeners]) l(copy(message), kind);
  }

  /** Stable per ref: an edit that keeps the same file keeps its id. */
  private documentId(ref: string): string {
    let h = 0n;
    for (const ch of `${this.scenario.id}\u0000${ref}`) h = (h * 131n + BigInt(ch.codePointAt(0)!)) % 9_000_000_000_000_000_000n;
    return String(1_000_000_000_000_000_000n + h);
  }

  private now(): number {
    return this.options.clock.now();
  }
}

/** The plain-data message a spec describes; `base` is the message an edit changes. */
function view(
  spec: Pick<ExchangeMessage, 'text' | 'buttons' | 'media'>,
  base: BotMessage | null,
  documentId: string,
): Pick<BotMessage, 'text' | 'buttons' | 'media' | 'document'> {
  const media = spec.media === undefined && base ? { media: base.media, document: base.document } : mediaOf(spec.media ?? null, documentId);
  return { text: spec.text ?? '', buttons: buttonsOf(spec.buttons ?? []), ...media };
}

function mediaOf(media: ExchangeMedia | null, documentId: string): { media: MediaKind; document: DocumentFacts | null } {
  if (!media) return { media: 'none', document: null };
  if (media.kind === 'photo') return { media: 'photo', document: null };
  if (media.kind === 'other') return { media: 'other', document: null };
  // An audio message is a document with an audio attribute, as Telegram sends it.
  return {
    media: 'document',
    document: {
      id: documentId,
      fileName: media.fileName ?? null,
      mimeType: media.mimeType ?? null,
      size: media.size ?? 0,
      performer: media.performer ?? null,
      title: media.title ?? null,
      durationSec: media.durationSec ?? null,
    },
  };
}

function inlineInfo(queryId: string, r: ExchangeResult, documentId: string): InlineResultInfo {
  const lines = (r.text ?? '').split('\n');
  return {
    queryId,
    resultId: r.ref,
    title: r.title ?? (lines[0]?.trim() || r.media?.title || null),
    description: r.description ?? (lines.slice(1).join(' ').trim() || null),
    document: mediaOf(r.media ?? null, documentId).document,
    text: r.text ?? null,
    buttons: buttonsOf(r.buttons ?? []),
  };
}

function copy(m: BotMessage): BotMessage {
  return { ...m, buttons: m.buttons.map((b) => ({ ...b })), document: m.document ? { ...m.document } : null };
}
