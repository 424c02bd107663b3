/**
 * A `crate-exchange/1` scenario as the simulated @LosslessRobot's behaviour (SimOptions.script):
 * the simulator keeps its chat, documents with real FLAC bytes and both adapters (the plain
 * FakeGateway and GramJS over the faked transport); the scenario's rules decide every reply
 * instead of the catalogue. A recorded real exchange becomes a simulator run by loading its file.
 *
 * The rule engine is the product's own (src/lossless/exchange/rules.ts), so the simulator and
 * `crate debug exchange` read a file the same way.
 */
import type { BotMessage, DocumentFacts, InlineResultInfo, MediaKind } from '../../../src/domain/telegram.js';
import type { ExchangeMedia, ExchangeMessage, ExchangeResult, ExchangeRule, ExchangeScenario } from '../../../src/lossless/exchange/format.js';
import { chosenSent, inlineSent, type ExchangeTrace } from '../../../src/lossless/exchange/replay.js';
import { buttonsOf, ExchangeRules, sentForm, toastOf } from '../../../src/lossless/exchange/rules.js';

/** What the behaviour needs of the simulator (core.ts). */
export interface ScriptHost {
  later(ms: number, fn: () => void): void;
  /** A bot message, announced to listeners. */
  post(view: Pick<BotMessage, 'text' | 'buttons' | 'media' | 'document'>): BotMessage;
  /** Our own message (a chosen inline result); not announced. */
  postOurs(view: Pick<BotMessage, 'text' | 'buttons' | 'media' | 'document'>): BotMessage;
  edit(id: number, view: Pick<BotMessage, 'text' | 'buttons' | 'media' | 'document'>): void;
  get(id: number): BotMessage | undefined;
  /** A real FLAC document tagged from the media facts (its size is the real file's). */
  makeFile(media: ExchangeMedia): DocumentFacts;
}

export class ExchangeBehaviour {
  /** What was sent and pressed, as `crate debug exchange` reports it. */
  readonly sentTexts: string[] = [];
  readonly clickedTexts: string[] = [];
  private readonly rules: ExchangeRules;
  private readonly refToId = new Map<string, number>();
  private readonly results = new Map<string, ExchangeResult>();
  /** Files made once per ref and media: an edit that repeats the media keeps the same document. */
  private readonly files = new Map<string, DocumentFacts>();

  constructor(
    readonly scenario: ExchangeScenario,
    private readonly host: ScriptHost,
  ) {
    this.rules = new ExchangeRules(scenario);
  }

  /** The scenario ref of a message, or null (ours). */
  refOf(messageId: number): string | null {
    for (const [ref, id] of this.refToId) if (id === messageId) return ref;
    return null;
  }

  /** The trace of a run, given the id of the message downloaded (if any). */
  trace(downloadedMessageId: number | null): ExchangeTrace {
    return {
      sent: [...this.sentTexts],
      clicks: [...this.clickedTexts],
      downloaded: downloadedMessageId === null ? null : this.refOf(downloadedMessageId),
    };
  }

  sent(text: string): void {
    this.sentTexts.push(text);
    this.fire(this.rules.fire({ kind: 'sent', form: sentForm(text), text }));
  }

  clicked(messageId: number, data: string): { message: string | null } {
    const button = this.host.get(messageId)?.buttons.find((b) => b.data === data);
    this.clickedTexts.push(button?.text ?? '(a button that is not there)');
    if (!button) return { message: null };
    const rule = this.rules.fire({ kind: 'clicked', text: button.text });
    this.fire(rule);
    return { message: rule ? toastOf(rule) : null };
  }

  /** Results at once: the simulator's inline answers are synchronous (their `afterMs` is not waited). */
  inline(query: string, queryId: string): InlineResultInfo[] {
    this.sentTexts.push(inlineSent(query));
    const rule = this.rules.fire({ kind: 'inline', query });
    if (!rule) return [];
    this.fire(rule);
    return rule.replies.flatMap((reply) =>
      (reply.results ?? []).map((r) => {
        this.results.set(`${queryId}/${r.ref}`, r);
        const lines = (r.text ?? '').split('\n');
        return {
          queryId,
          resultId: r.ref,
          title: r.title ?? (lines[0]?.trim() || r.media?.title || null),
          description: r.description ?? (lines.slice(1).join(' ').trim() || null),
          document: this.mediaOf(r.ref, r.media ?? null).document,
          text: r.text ?? null,
          buttons: buttonsOf(r.buttons ?? []),
        };
      }),
    );
  }

  chosen(result: Pick<InlineResultInfo, 'queryId' | 'resultId'>): BotMessage {
    const spec = this.results.get(`${result.queryId}/${result.resultId}`);
    if (!spec) throw new Error(`QUERY_ID_INVALID: the scenario offered no inline result ${result.queryId}/${result.resultId}`);
    const ours = this.host.postOurs(this.view(spec, null));
    this.sentTexts.push(chosenSent(spec.ref));
    this.refToId.set(spec.ref, ours.id);
    this.fire(this.rules.fire({ kind: 'chosen', ref: spec.ref }));
    return ours;
  }

  private fire(rule: ExchangeRule | null): void {
    for (const reply of rule?.replies ?? []) {
      const { message, edit } = reply;
      if (message) {
        this.host.later(reply.afterMs, () => this.refToId.set(message.ref, this.host.post(this.view(message, null)).id));
      } else if (edit) {
        this.host.later(reply.afterMs, () => {
          const id = this.refToId.get(edit.ref);
          const base = id === undefined ? undefined : this.host.get(id);
          if (id !== undefined && base) this.host.edit(id, this.view(edit, base));
        });
      }
    }
  }

  private view(spec: Pick<ExchangeMessage, 'ref' | 'text' | 'buttons' | 'media'>, base: BotMessage | null): Pick<BotMessage, 'text' | 'buttons' | 'media' | 'document'> {
    const media = spec.media === undefined && base ? { media: base.media, document: base.document } : this.mediaOf(spec.ref, spec.media ?? null);
    return { text: spec.text ?? '', buttons: buttonsOf(spec.buttons ?? []), ...media };
  }

  private mediaOf(ref: string, media: ExchangeMedia | null): { media: MediaKind; document: DocumentFacts | null } {
    if (!media) return { media: 'none', document: null };
    if (media.kind === 'photo') return { media: 'photo', document: null };
    if (media.kind === 'other') return { media: 'other', document: null };
    const key = `${ref}\u0000${JSON.stringify(media)}`;
    let file = this.files.get(key);
    if (!file) {
      file = this.host.makeFile(media);
      this.files.set(key, file);
    }
    return { media: 'document', document: { ...file } };
  }
}
