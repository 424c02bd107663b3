/**
 * A plain-data simulation of @LosslessRobot (ARCHITECTURE.md §3), speaking the gateway's types
 * (src/domain/telegram.ts). Adapters put it behind a real GramJS client (gramjs-adapter.ts) or a
 * fake TelegramGateway (test/fakes/fake-gateway.ts).
 *
 * Chat mode: a link or "Artist - Title" → search menu (track rows with decoys, paging row,
 * "download page") → row click edits the message into the quality menu → quality click → the
 * document arrives later as a new message. Nothing found → photo without keyboard. Quota →
 * lone premium button. Inline mode: results, some with a document, others that arrive as
 * "wait" messages edited into the document later.
 */
import type { BotButton, BotMessage, DocumentFacts, InlineResultInfo, MediaKind } from '../../../src/domain/telegram.js';
import { flacImage, type FlacImage } from '../flac-writer.js';
import { realScheduler, type SimScheduler } from './scheduler.js';
import { seededRandom } from '../seeded-random.js';
import type { ExchangeScenario } from '../../../src/lossless/exchange/format.js';
import { ExchangeBehaviour, type ScriptHost } from './exchange-behaviour.js';

export interface SimTrack {
  id: string;
  spotifyId?: string;
  artists: string[];
  title: string;
  durationSec: number;
  isrc?: string;
  album?: string;
  /**
   * Extra menu rows shown with this track (covers, "Made Famous by", karaoke, remixes), as the
   * full row text (`Artist - Title [m:ss]`); without `[m:ss]` the track's own length is used.
   * Clicking one delivers a file tagged like that row.
   */
  decoys?: string[];
  /** Where the track's own row goes among its decoys (default 0 = first). */
  rowIndex?: number;
  /** The bot finds nothing (photo reply). */
  notFound?: boolean;
  /** The bot never answers requests for this track. */
  silent?: boolean;
  /** The delivered file is another recording (karaoke, other length). */
  wrongFile?: boolean;
  /**
   * Telegram's attributes (performer, title, duration) name this track, but the FLAC inside is
   * another recording with these tags: only a check of the file's own tags catches it.
   */
  mislabeled?: { artist: string; title: string };
  /** File size in bytes (padded FLAC); default: the natural size of the silent FLAC (a few KB). */
  bytes?: number;
  /** Quality served for "Max" (default 16/44100; "High" is always 16/44100). */
  bitDepth?: 16 | 24;
  sampleRate?: number;
  /** Fixed file latency for this track, overriding latencyMs.file (late files). */
  fileDelayMs?: number;
  /**
   * Inline mode: 'document' = the result carries the file; 'deferred' (default) = wait message
   * edited later; 'pending-document' = the sent result is a placeholder document (a 30 s preview)
   * still showing the wait button, edited into the real file later; 'pending-text' = the result's
   * own message says it is still being prepared, then is edited into the file.
   */
  inline?: 'document' | 'deferred' | 'pending-document' | 'pending-text';
  /** Inline mode: an MP3 copy of the track is listed before the FLAC result. */
  inlineMp3?: boolean;
  /** The request is answered with this per-track notice only ("Трек ограничен правообладателем"). */
  restricted?: string;
  /** The request is answered with this text only (a reply Crate has never seen). */
  replyText?: string;
}

/** A gate: every message (and /start) is answered with this until `setGate(null)`. */
export interface SimGate {
  text: string;
  buttons?: { text: string; url?: string }[];
}

export interface SimOptions {
  catalogue: SimTrack[];
  clock?: SimScheduler;
  latencyMs?: { reply?: [number, number]; file?: [number, number] };
  rowsPerPage?: number;
  seed?: number;
  /**
   * Premium promo (quota): after `afterRequests` requests every further one gets the promo; or
   * always for `trackIds`. `on` says which request counts: a search (default) or a quality click.
   */
  promo?: { afterRequests?: number; trackIds?: string[]; on?: 'search' | 'quality' };
  /** Whether the bot's replies quote our message (unknown for the real bot; default false). */
  replyTo?: boolean;
  /** Quality menu as an edit of the search menu (default) or as a new message. */
  qualityMenuAs?: 'edit' | 'new';
  /** A crate-exchange/1 scenario decides every reply instead of the catalogue (exchange-behaviour.ts). */
  script?: ExchangeScenario;
  /** The answer to /start (default: a greeting). */
  greeting?: string;
  /** The bot gates its use (subscribe to a channel) from the start; `setGate` changes it later. */
  gate?: SimGate;
  /**
   * Searches are first answered with a placeholder ("🔍 Ищу трек…") that is edited into the
   * result ('edit', as real bots do) or followed by the result as a new message ('new').
   */
  placeholder?: { text: string; as?: 'edit' | 'new' };
  /** After a quality click, a progress message is edited through these texts before the file comes. */
  progress?: string[];
  /**
   * A request sooner than `minGapMs` after the previous one is answered with `text` only (the
   * bot's own flood limit), e.g. "Подождите 10 секунд…".
   */
  throttle?: { text: string; minGapMs: number };
  /** Menus carry a promo button below the results, and a bare promo message follows each menu. */
  promoBesideResults?: boolean;
  /** "Nothing found" photos carry this button. */
  nothingFoundButton?: { text: string; url?: string };
  /** Bot / owner user ids, for adapters. */
  botUserId?: number;
  selfUserId?: number;
}

/** Thrown by user actions after `floodOnNext`; adapters turn it into their FloodWait error. */
export class SimFloodWait extends Error {
  override readonly name = 'SimFloodWait';
  constructor(readonly seconds: number) {
    super(`FLOOD_WAIT_${seconds}`);
  }
}

export type SimActionKind = 'send' | 'click' | 'inline' | 'sendInline';
export interface SimAction {
  kind: SimActionKind;
  /** Scheduler time in ms. */
  at: number;
  detail: string;
  /** True when the action was refused with a flood wait. */
  flooded: boolean;
}

/** Internal facts of a served document, for adapters (file location, bytes). */
export interface SimDocument {
  facts: DocumentFacts;
  image: FlacImage;
  /** Stable per document, like Telegram's access_hash. */
  accessHash: string;
  /** What the file was sent for: the track id, 'decoy', 'unsolicited' or 'wrong'. */
  origin: string;
  bitDepth: number;
  sampleRate: number;
}

/** Who caused a delivered file, for assertions. */
export interface SimDelivery {
  messageId: number;
  documentId: string;
  /** Our message that started it (search text, or inline message), if any. */
  requestMessageId: number | null;
  trackId: string | null;
  row: string | null;
  kind: 'requested' | 'page' | 'unsolicited' | 'wrong' | 'inline';
}

interface Row {
  text: string;
  performer: string;
  title: string;
  durationSec: number;
  track: SimTrack;
  decoy: boolean;
}

interface Menu {
  messageId: number;
  requestMessageId: number;
  rows: Row[];
  page: number;
}

type Listener = (message: BotMessage, kind: 'new' | 'edited') => void;

export const PROMO_BUTTON = '😎 Подключить Premium со скидкой';
export const WAIT_BUTTON = 'Подождите, трек скоро скачается.';
export const QUALITY_BUTTONS = { low: '📼 Low', high: 'High (16bit) 💿', max: '📀 Max (До 24bit/192kHz) ✅', back: '← Назад' };
export const DOWNLOAD_PAGE_BUTTON = '💾 Скачать страницу';

export class SimulatedLosslessBot {
  readonly botUserId: number;
  readonly selfUserId: number;
  readonly clock: SimScheduler;
  private readonly catalogue: SimTrack[];
  private readonly rowsPerPage: number;
  private readonly latency: { reply: [number, number]; file: [number, number] };
  private readonly rng: () => number;
  /** Every message of the account's chats with the bot: its chat and, in Telegram, one id sequence for both. */
  private readonly messages = new Map<number, BotMessage>();
  /** Ids of messages in the owner's Saved Messages (inline results sent there); the rest are the bot chat. */
  private readonly savedIds = new Set<number>();
  /** Ids of our messages sent via the bot (chosen inline results): Telegram marks them `via_bot_id`. */
  private readonly viaBotIds = new Set<number>();
  private readonly menus = new Map<number, Menu>();
  private readonly documents = new Map<string, SimDocument>();
  private readonly inlineResults = new Map<string, { track: SimTrack; document: SimDocument | null; placeholder: SimDocument | null }>();
  private readonly listeners = new Set<Listener>();
  private readonly timers = new Set<unknown>();
  private readonly log: SimAction[] = [];
  private readonly delivered: SimDelivery[] = [];
  private nextMessageId = 1;
  private nextDocumentId = 5_000_000_000_000_000_001n;
  private nextQueryId = 1;
  private requestsCounted = 0;
  private pendingFlood: number | null = null;
  private silentAll = false;
  /** The scenario playing the bot, when SimOptions.script is set. */
  readonly script: ExchangeBehaviour | null;
  private gate: SimGate | null;
  private lastRequestAt = -Infinity;
  private readonly throttleQueue: string[] = [];

  constructor(private readonly options: SimOptions) {
    this.catalogue = options.catalogue;
    this.clock = options.clock ?? realScheduler;
    this.rowsPerPage = options.rowsPerPage ?? 5;
    this.latency = {
      reply: options.latencyMs?.reply ?? [200, 800],
      file: options.latencyMs?.file ?? [1000, 4000],
    };
    this.rng = seededRandom(options.seed ?? 1);
    this.botUserId = options.botUserId ?? 7_000_000_001;
    this.selfUserId = options.selfUserId ?? 100_500;
    this.script = options.script ? new ExchangeBehaviour(options.script, this.scriptHost()) : null;
    this.gate = options.gate ?? null;
  }

  // ───────────────────────────── user side ─────────────────────────────

  /** Our text message to the bot (a Spotify track link or "Artist - Title"). */
  sendText(text: string): BotMessage {
    this.act('send', text);
    const ours = this.post({ out: true, text });
    if (this.script) {
      this.script.sent(text);
      return ours;
    }
    this.answer(text, ours.id);
    return ours;
  }

  /**
   * The owner uses the bot by hand from another device: Telegram shows their outgoing message in
   * the chat (and tells our session about it), and the bot answers it like any request.
   */
  ownerSends(text: string): BotMessage {
    const theirs = this.post({ out: true, text }, false);
    this.emit(this.messages.get(theirs.id)!, 'new');
    this.answer(text, theirs.id);
    return theirs;
  }

  /** The owner presses a button by hand (not through Crate, so not in `actions()`). */
  ownerClicks(messageId: number, data: string): { message: string | null } {
    return this.press(messageId, data);
  }

  private answer(text: string, requestMessageId: number): void {
    if (this.silentAll) return;
    const quote = { replyToMessageId: this.quote(requestMessageId) };
    if (this.gate) {
      const gate = this.gate;
      this.later(this.pick(this.latency.reply), () => this.post({ out: false, text: gate.text, buttons: gateButtons(gate), ...quote }));
      return;
    }
    if (text.trim() === '/start') {
      const greeting = this.options.greeting ?? '👋 Здравствуйте! Этот бот качает музыку без потерь — кидайте ссылку из Spotify.';
      this.later(this.pick(this.latency.reply), () => this.post({ out: false, text: greeting, ...quote }));
      return;
    }
    const now = this.clock.now();
    const throttle = this.options.throttle;
    const queued = this.throttleQueue.shift();
    const tooSoon = throttle !== undefined && now - this.lastRequestAt < throttle.minGapMs;
    this.lastRequestAt = now;
    if (queued !== undefined || tooSoon) {
      const notice = queued ?? throttle!.text;
      this.later(this.pick(this.latency.reply), () => this.post({ out: false, text: notice, ...quote }));
      return;
    }
    const reply = this.searchReply(text, requestMessageId);
    if (reply) this.later(this.pick(this.latency.reply), reply);
  }

  /** Presses a callback button of a bot message. */
  clickButton(messageId: number, data: string): { message: string | null } {
    this.act('click', `${messageId}:${decode(data)}`);
    if (this.script) return this.script.clicked(messageId, data);
    return this.press(messageId, data);
  }

  private press(messageId: number, data: string): { message: string | null } {
    const message = this.messages.get(messageId);
    if (!message || message.out || !message.buttons.some((b) => b.data === data)) {
      return { message: 'Кнопка устарела' };
    }
    const [kind, ...rest] = decode(data).split(':');
    const menu = this.menus.get(Number(rest[0]));
    if (!menu) return { message: null };
    switch (kind) {
      case 'p': // page
        menu.page = Number(rest[1]);
        this.later(this.pick(this.latency.reply), () => this.edit(menu.messageId, this.menuView(menu)));
        return { message: null };
      case 'r': {
        // row → quality menu
        const row = menu.rows[Number(rest[1])];
        if (!row) return { message: null };
        const view = this.qualityView(menu, Number(rest[1]), row);
        this.later(this.pick(this.latency.reply), () => {
          if ((this.options.qualityMenuAs ?? 'edit') === 'edit') this.edit(menu.messageId, view);
          else this.post({ ...view, out: false });
        });
        return { message: null };
      }
      case 'b': // back to the results
        this.later(this.pick(this.latency.reply), () => this.edit(menu.messageId, this.menuView(menu)));
        return { message: null };
      case 'q': {
        const row = menu.rows[Number(rest[1])];
        const quality = rest[2] as 'low' | 'high' | 'max';
        if (!row) return { message: null };
        if (row.track.silent || this.silentAll) return { message: null };
        if (this.promoDue([row.track], 'quality')) {
          this.later(this.pick(this.latency.reply), this.promoMessage());
          return { message: null };
        }
        const kindOf = row.track.wrongFile && !row.decoy ? 'wrong' : 'requested';
        const delay = this.fileDelay(row.track);
        const progress = this.options.progress ?? [];
        if (progress.length > 0) {
          // A progress message, edited as the bot fetches the file, then the file as a new message.
          this.later(Math.min(300, delay), () => {
            const shown = this.post({ out: false, text: progress[0]! });
            progress.slice(1).forEach((text, i) =>
              this.later(Math.round(((i + 1) * delay) / (progress.length + 1)), () => this.edit(shown.id, { text })),
            );
          });
        }
        this.later(delay, () => this.deliver(row, quality, { requestMessageId: menu.requestMessageId, kind: kindOf }));
        return { message: 'Загрузка началась' };
      }
      case 'd': {
        // download the whole page, each file at its own pace
        const start = menu.page * this.rowsPerPage;
        menu.rows.slice(start, start + this.rowsPerPage).forEach((row) => {
          if (row.track.silent || this.silentAll) return;
          this.later(this.fileDelay(row.track), () =>
            this.deliver(row, 'high', { requestMessageId: menu.requestMessageId, kind: 'page' }),
          );
        });
        return { message: null };
      }
      default:
        return { message: null };
    }
  }

  inlineQuery(query: string): InlineResultInfo[] {
    this.act('inline', query);
    const queryId = String(this.nextQueryId++);
    if (this.script) return this.script.inline(query, queryId);
    return this.search(query)
      .filter((t) => !t.notFound && !t.silent)
      .flatMap((track) => {
        const results: InlineResultInfo[] = [];
        if (track.inlineMp3) {
          // A lossy copy listed first, as some bots do: its own text says MP3.
          const mp3 = this.makeDocument(ownRow(track), 'low', track.id);
          mp3.facts = { ...mp3.facts, fileName: mp3.facts.fileName!.replace(/\.flac$/, '.mp3'), mimeType: 'audio/mpeg' };
          this.inlineResults.set(`${queryId}/${track.id}-mp3`, { track, document: mp3, placeholder: null });
          results.push({ queryId, resultId: `${track.id}-mp3`, title: `${track.artists.join(', ')} - ${track.title}`, description: 'MP3 320', document: { ...mp3.facts }, text: 'MP3 320 kbps', buttons: [] });
        }
        const resultId = `${track.id}`;
        const mode = track.inline ?? 'deferred';
        const document = mode === 'document' || mode === 'pending-document' ? this.makeDocument(ownRow(track), 'high', track.id) : null;
        // The pending document is a short preview standing in for the file until the bot has it.
        const placeholder = mode === 'pending-document' ? this.makeDocument({ ...ownRow(track), durationSec: 30 }, 'high', 'preview') : null;
        this.inlineResults.set(`${queryId}/${resultId}`, { track, document, placeholder });
        const pendingText = mode === 'pending-text' ? '⏳ Трек готовится, подождите…' : null;
        results.push({
          queryId,
          resultId,
          title: `${track.artists.join(', ')} - ${track.title}`,
          description: document && mode === 'document' ? 'FLAC' : `${formatLength(track.durationSec)} · скачать`,
          document: document && mode === 'document' ? { ...document.facts } : placeholder ? { ...placeholder.facts } : null,
          text: pendingText ?? (mode === 'document' ? 'FLAC' : ''),
          buttons: placeholder ? [button(WAIT_BUTTON, 0, 0, 'w:0')] : [],
        });
        return results;
      });
  }

  /**
   * Sends a chosen inline result into the bot chat, or (`to: 'saved'`) into the owner's Saved
   * Messages, as Telegram lets any chat receive one; returns our message. Either way the bot edits
   * that message later (Telegram routes the inline message's edits to wherever it was sent).
   */
  sendInlineResult(result: Pick<InlineResultInfo, 'queryId' | 'resultId'>, to: 'bot' | 'saved' = 'bot'): BotMessage {
    this.act('sendInline', `${result.queryId}/${result.resultId}`);
    const next = this.nextMessageId;
    const ours = this.postInline(result);
    // Everything posted for this send (our message) lives where it was sent.
    for (let id = next; id < this.nextMessageId; id++) {
      const m = this.messages.get(id);
      if (!m?.out) continue;
      this.viaBotIds.add(id);
      if (to === 'saved') this.savedIds.add(id);
    }
    return ours;
  }

  /** The owner keeps a note of their own in Saved Messages (not via the bot): Crate must never read it. */
  ownerSaves(text: string): BotMessage {
    const note = this.post({ out: true, text }, false);
    this.savedIds.add(note.id);
    return note;
  }

  /** Which chat a message is in. */
  chatOf(messageId: number): 'bot' | 'saved' {
    return this.savedIds.has(messageId) ? 'saved' : 'bot';
  }

  /** Whether our message was sent via the bot (a chosen inline result). */
  sentViaBot(messageId: number): boolean {
    return this.viaBotIds.has(messageId);
  }

  /** The owner's Saved Messages (what Crate put there), oldest first. */
  savedMessages(): BotMessage[] {
    return [...this.messages.values()].filter((m) => this.savedIds.has(m.id)).map(copy);
  }

  private postInline(result: Pick<InlineResultInfo, 'queryId' | 'resultId'>): BotMessage {
    if (this.script) return this.script.chosen(result);
    const entry = this.inlineResults.get(`${result.queryId}/${result.resultId}`);
    if (!entry) throw new Error(`QUERY_ID_INVALID: unknown inline result ${result.queryId}/${result.resultId}`);
    const { track, document, placeholder } = entry;
    if (document && !placeholder) {
      const ours = this.post({ out: true, text: '', media: 'document', document: { ...document.facts } });
      this.delivered.push({
        messageId: ours.id,
        documentId: document.facts.id,
        requestMessageId: ours.id,
        trackId: track.id,
        row: null,
        kind: 'inline',
      });
      return ours;
    }
    const mode = track.inline ?? 'deferred';
    const ours = placeholder
      ? this.post({ out: true, text: '', media: 'document', document: { ...placeholder.facts }, buttons: [button(WAIT_BUTTON, 0, 0, 'w:0')] })
      : this.post({
          out: true,
          text: mode === 'pending-text' ? '⏳ Трек готовится, подождите…' : `${track.artists.join(', ')} - ${track.title}`,
          buttons: mode === 'pending-text' ? [] : [button(WAIT_BUTTON, 0, 0, 'w:0')],
        });
    this.later(this.fileDelay(track), () => {
      const doc = document ?? this.makeDocument(track.wrongFile ? wrongRow(track) : ownRow(track), 'high', track.id);
      this.edit(ours.id, { text: '', buttons: [], media: 'document', document: { ...doc.facts } });
      this.delivered.push({
        messageId: ours.id,
        documentId: doc.facts.id,
        requestMessageId: ours.id,
        trackId: track.id,
        row: null,
        kind: 'inline',
      });
    });
    return ours;
  }

  /** Messages of the bot chat with id > minId, oldest first (Saved Messages are another chat). */
  history({ minId, limit }: { minId: number; limit: number }): BotMessage[] {
    return [...this.messages.values()].filter((m) => m.id > minId && !this.savedIds.has(m.id)).slice(0, limit).map(copy);
  }

  getMessages(ids: number[]): (BotMessage | null)[] {
    return ids.map((id) => {
      const m = this.messages.get(id);
      return m ? copy(m) : null;
    });
  }

  /** Bot messages, new and edited (our own sent messages are not echoed, as in Telegram). */
  onMessage(handler: Listener): () => void {
    this.listeners.add(handler);
    return () => this.listeners.delete(handler);
  }

  documentBytes(documentId: string, offset: number, limit: number): Buffer {
    const doc = this.documents.get(documentId);
    if (!doc) throw new Error(`unknown document ${documentId}`);
    return doc.image.read(offset, limit);
  }

  // ───────────────────────────── test controls ─────────────────────────────

  /** The next user action (send, click, inline query, inline send) throws SimFloodWait. */
  floodOnNext(seconds: number): void {
    this.pendingFlood = seconds;
  }

  /** The bot stops (or resumes) answering anything. */
  setSilent(silent: boolean): void {
    this.silentAll = silent;
  }

  /** The bot starts (or stops) gating its use. */
  setGate(gate: SimGate | null): void {
    this.gate = gate;
  }

  /** The next request is answered with this text only (e.g. a throttle notice). */
  answerNextWith(text: string): void {
    this.throttleQueue.push(text);
  }

  /** A file nobody asked for (stale request of an earlier run, another client...). */
  sendUnsolicitedFile(file: { artist: string; title: string; durationSec: number }, delayMs = 0): void {
    const track: SimTrack = { id: 'unsolicited', artists: [file.artist], title: file.title, durationSec: file.durationSec };
    this.later(delayMs, () => this.deliver(ownRow(track), 'high', { requestMessageId: null, kind: 'unsolicited' }));
  }

  /** Delivers now the file of a catalogue track as if requested (e.g. an answer to a request of a previous run). */
  sendFileFor(trackId: string, delayMs = 0, requestMessageId: number | null = null): void {
    const track = this.catalogue.find((t) => t.id === trackId);
    if (!track) throw new Error(`no track ${trackId}`);
    this.later(delayMs, () => this.deliver(ownRow(track), 'high', { requestMessageId, kind: 'requested' }));
  }

  /** All user actions so far, with scheduler timestamps (pacing proofs). */
  actions(): SimAction[] {
    return [...this.log];
  }

  deliveries(): SimDelivery[] {
    return [...this.delivered];
  }

  document(documentId: string): SimDocument | undefined {
    return this.documents.get(documentId);
  }

  /**
   * Forgets a served document's bytes (a later download of it fails). Soak tests call it once a
   * file is on disk, so the process's memory measures Crate, not the simulator's stock of files.
   */
  forgetDocument(documentId: string): void {
    this.documents.delete(documentId);
  }

  /** Bot actions still scheduled (replies, files). */
  pending(): number {
    return this.timers.size;
  }

  /** Cancels everything scheduled. */
  close(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
  }

  // ───────────────────────────── bot side ─────────────────────────────

  private scriptHost(): ScriptHost {
    return {
      later: (ms, fn) => this.later(ms, fn),
      post: (view) => this.post({ ...view, out: false }),
      postOurs: (view) => this.post({ ...view, out: true }),
      edit: (id, view) => this.edit(id, view),
      get: (id) => this.messages.get(id),
      makeFile: (media) => {
        const durationSec = media.durationSec ?? 180;
        const track: SimTrack = { id: 'script', artists: [media.performer ?? ''], title: media.title ?? '', durationSec };
        const row: Row = { text: '', performer: media.performer ?? '', title: media.title ?? '', durationSec, track, decoy: false };
        const facts = this.makeDocument(row, 'high', 'script').facts;
        // The recorded names and types stand; the size is the real (small) file's.
        return Object.assign(facts, { fileName: media.fileName ?? null, mimeType: media.mimeType ?? null, performer: media.performer ?? null, title: media.title ?? null, durationSec: media.durationSec ?? null });
      },
    };
  }

  private act(kind: SimActionKind, detail: string): void {
    const flood = this.pendingFlood;
    this.log.push({ kind, at: this.clock.now(), detail, flooded: flood !== null });
    if (flood !== null) {
      this.pendingFlood = null;
      throw new SimFloodWait(flood);
    }
  }

  private searchReply(text: string, requestMessageId: number): (() => void) | null {
    if (this.silentAll) return null;
    const link = /open\.spotify\.com\/(?:intl-[a-z-]+\/)?track\/([A-Za-z0-9]+)/.exec(text);
    let found: SimTrack[];
    if (link) {
      const t = this.catalogue.find((c) => c.spotifyId === link[1]);
      found = t ? [t] : [];
    } else {
      found = this.search(text);
    }
    if (found.some((t) => t.silent)) return null;
    const quote = { replyToMessageId: this.quote(requestMessageId) };
    const notice = found.find((t) => t.restricted ?? t.replyText);
    if (notice) return () => this.post({ out: false, text: (notice.restricted ?? notice.replyText)!, ...quote });
    if (this.promoDue(found, 'search')) return this.promoMessage();
    const shown = found.filter((t) => !t.notFound);
    const placeholder = this.options.placeholder;
    if (shown.length === 0) {
      const extra = this.options.nothingFoundButton;
      const buttons = extra ? [extra.url ? urlButton(extra.text, 0, 0, extra.url) : button(extra.text, 0, 0, 'other')] : [];
      return () => this.post({ out: false, text: '', media: 'photo', buttons, ...quote });
    }
    const rows = shown.flatMap(menuRows);
    const showMenu = (into: number | null) => {
      // The menu's button data needs the message id: reserve it, then announce the full message.
      const id = into ?? this.post({ out: false, ...quote }, false).id;
      const menu: Menu = { messageId: id, requestMessageId, rows, page: 0 };
      this.menus.set(id, menu);
      const message = this.messages.get(id)!;
      Object.assign(message, this.menuView(menu), into !== null ? { editDate: Math.floor(this.clock.now() / 1000) } : {});
      this.emit(message, into !== null ? 'edited' : 'new');
      if (this.options.promoBesideResults) {
        this.later(50, () => this.post({ out: false, text: '', buttons: [button(PROMO_BUTTON, 0, 0, 'promo')] }));
      }
    };
    if (placeholder) {
      return () => {
        const shownPlaceholder = this.post({ out: false, text: placeholder.text, ...quote });
        this.later(this.pick(this.latency.reply), () => showMenu((placeholder.as ?? 'edit') === 'edit' ? shownPlaceholder.id : null));
      };
    }
    return () => showMenu(null);
  }

  private quote(id: number): number | null {
    return this.options.replyTo ? id : null;
  }

  /** Counts the request (once) and says whether the quota promo answers it. */
  private promoDue(tracks: SimTrack[], on: 'search' | 'quality'): boolean {
    const promo = this.options.promo;
    if (!promo || (promo.on ?? 'search') !== on) return false;
    if (tracks.some((t) => promo.trackIds?.includes(t.id))) return true;
    this.requestsCounted++;
    return promo.afterRequests !== undefined && this.requestsCounted > promo.afterRequests;
  }

  private promoMessage(): () => void {
    return () =>
      this.post({
        out: false,
        text: 'Бесплатный лимит на сегодня исчерпан.',
        buttons: [button(PROMO_BUTTON, 0, 0, 'promo')],
      });
  }

  /** Naive search: "Artist - Title" (both parts must match) or free words. */
  private search(query: string): SimTrack[] {
    const parts = query.split(/\s+[-–—]\s+/);
    if (parts.length >= 2) {
      const artist = norm(parts[0]!);
      const title = norm(parts.slice(1).join(' '));
      return this.catalogue.filter(
        (t) =>
          t.artists.some((a) => norm(a).includes(artist) || artist.includes(norm(a))) &&
          (norm(t.title).includes(title) || title.includes(norm(t.title))),
      );
    }
    const words = norm(query).split(' ').filter(Boolean);
    return this.catalogue.filter((t) => {
      const hay = norm(`${t.artists.join(' ')} ${t.title}`);
      return words.length > 0 && words.every((w) => hay.includes(w));
    });
  }

  private menuView(menu: Menu): Pick<BotMessage, 'text' | 'buttons' | 'media' | 'document'> {
    const pages = Math.max(1, Math.ceil(menu.rows.length / this.rowsPerPage));
    const start = menu.page * this.rowsPerPage;
    const buttons: BotButton[] = menu.rows
      .slice(start, start + this.rowsPerPage)
      .map((row, i) => button(row.text, i, 0, `r:${menu.messageId}:${start + i}`));
    const r = buttons.length;
    buttons.push(
      menu.page > 0 ? button('←', r, 0, `p:${menu.messageId}:${menu.page - 1}`) : button('◉', r, 0, 'n'),
      button(`${menu.page + 1} / ${pages}`, r, 1, 'n'),
      menu.page < pages - 1 ? button('→', r, 2, `p:${menu.messageId}:${menu.page + 1}`) : button('◉', r, 2, 'n'),
      button(DOWNLOAD_PAGE_BUTTON, r + 1, 0, `d:${menu.messageId}`),
    );
    if (this.options.promoBesideResults) buttons.push(button(PROMO_BUTTON, r + 2, 0, 'promo'));
    return { text: `Результаты поиска (${menu.rows.length})`, buttons, media: 'none', document: null };
  }

  private qualityView(menu: Menu, index: number, row: Row): Pick<BotMessage, 'text' | 'buttons' | 'media' | 'document'> {
    const d = `${menu.messageId}:${index}`;
    return {
      text: `${row.text}\nВыберите качество:`,
      buttons: [
        button(QUALITY_BUTTONS.low, 0, 0, `q:${d}:low`),
        button(QUALITY_BUTTONS.high, 1, 0, `q:${d}:high`),
        button(QUALITY_BUTTONS.max, 2, 0, `q:${d}:max`),
        button(QUALITY_BUTTONS.back, 3, 0, `b:${menu.messageId}`),
      ],
      media: 'none',
      document: null,
    };
  }

  private deliver(
    row: Row,
    quality: 'low' | 'high' | 'max',
    how: { requestMessageId: number | null; kind: SimDelivery['kind'] },
  ): void {
    const served = how.kind === 'wrong' ? wrongRow(row.track) : row;
    const origin = how.kind === 'unsolicited' ? 'unsolicited' : row.decoy ? 'decoy' : row.track.id;
    const doc = this.makeDocument(served, quality, origin);
    const message = this.post({ out: false, text: '', media: 'document', document: doc.facts });
    this.delivered.push({
      messageId: message.id,
      documentId: doc.facts.id,
      requestMessageId: how.requestMessageId,
      trackId: how.kind === 'unsolicited' ? null : row.track.id,
      row: row.text,
      kind: how.kind,
    });
  }

  private makeDocument(row: Row, quality: 'low' | 'high' | 'max', origin: string): SimDocument {
    const track = row.track;
    const hiRes = quality === 'max';
    const bitDepth = hiRes ? (track.bitDepth ?? 16) : 16;
    const sampleRate = hiRes ? (track.sampleRate ?? 44100) : 44100;
    const id = String(this.nextDocumentId++);
    // "Low" is a smaller file here (the real bot's low tier is lossy; we never pick it).
    const bytes = track.bytes !== undefined ? (quality === 'low' ? Math.floor(track.bytes / 3) : track.bytes) : undefined;
    const inside = track.mislabeled && !row.decoy ? track.mislabeled : null;
    const image = flacImage({
      artist: inside?.artist ?? row.performer,
      title: inside?.title ?? row.title,
      ...(track.album !== undefined && !row.decoy ? { album: track.album } : {}),
      ...(track.isrc !== undefined && !row.decoy && !inside ? { isrc: track.isrc } : {}),
      durationMs: row.durationSec * 1000,
      sampleRate,
      bitDepth,
      ...(bytes !== undefined ? { padToBytes: bytes, padWith: 'noise' as const } : {}),
      seed: Number(BigInt(id) % 1_000_003n),
    });
    const doc: SimDocument = {
      facts: {
        id,
        fileName: `${row.performer} - ${row.title}.flac`,
        mimeType: 'audio/flac',
        size: image.size,
        performer: row.performer,
        title: row.title,
        durationSec: row.durationSec,
      },
      image,
      accessHash: String(BigInt(id) * 7n + 3n),
      origin,
      bitDepth,
      sampleRate,
    };
    this.documents.set(id, doc);
    return doc;
  }

  private fileDelay(track: SimTrack): number {
    return track.fileDelayMs ?? this.pick(this.latency.file);
  }

  private pick([min, max]: [number, number]): number {
    return Math.round(min + (max - min) * this.rng());
  }

  private later(ms: number, fn: () => void): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      fn();
    }, ms);
    this.timers.add(handle);
  }

  private post(m: Partial<BotMessage> & { out: boolean }, announce = true): BotMessage {
    const message: BotMessage = {
      id: this.nextMessageId++,
      date: Math.floor(this.clock.now() / 1000),
      editDate: null,
      out: m.out,
      text: m.text ?? '',
      buttons: m.buttons ?? [],
      media: m.media ?? 'none',
      document: m.document ?? null,
      replyToMessageId: m.replyToMessageId ?? null,
    };
    this.messages.set(message.id, message);
    if (!message.out && announce) this.emit(message, 'new');
    return copy(message);
  }

  private edit(id: number, view: Partial<BotMessage>): void {
    const message = this.messages.get(id);
    if (!message) return;
    Object.assign(message, view, { editDate: Math.floor(this.clock.now() / 1000) });
    this.emit(message, 'edited');
  }

  private emit(message: BotMessage, kind: 'new' | 'edited'): void {
    for (const l of [...this.listeners]) l(copy(message), kind);
  }
}

// ───────────────────────────── helpers ─────────────────────────────

function menuRows(track: SimTrack): Row[] {
  const rows = (track.decoys ?? []).map((text) => decoyRow(text, track));
  rows.splice(Math.min(track.rowIndex ?? 0, rows.length), 0, ownRow(track));
  return rows;
}

const ownRows = new WeakMap<SimTrack, Row>();
function ownRow(track: SimTrack): Row {
  let row = ownRows.get(track);
  if (!row) {
    const performer = track.artists.join(', ');
    row = {
      text: `${performer} - ${track.title} [${formatLength(track.durationSec)}]`,
      performer,
      title: track.title,
      durationSec: track.durationSec,
      track,
      decoy: false,
    };
    ownRows.set(track, row);
  }
  return row;
}

function decoyRow(text: string, track: SimTrack): Row {
  const m = /^(.*?)\s*\[(\d+):(\d\d)\]\s*$/.exec(text);
  const body = m ? m[1]! : text;
  const durationSec = m ? Number(m[2]) * 60 + Number(m[3]) : track.durationSec;
  const dash = body.indexOf(' - ');
  return {
    text: m ? text : `${text} [${formatLength(durationSec)}]`,
    performer: dash >= 0 ? body.slice(0, dash) : body,
    title: dash >= 0 ? body.slice(dash + 3) : body,
    durationSec,
    track,
    decoy: true,
  };
}

/** The recording a "wrong file" track delivers instead of itself. */
function wrongRow(track: SimTrack): Row {
  return {
    text: '',
    performer: 'Ameritz Countdown Karaoke',
    title: `${track.title} (In the Style of ${track.artists[0] ?? ''}) [Karaoke Version]`,
    durationSec: Math.max(30, track.durationSec - 47),
    track,
    decoy: true,
  };
}

export function formatLength(sec: number): string {
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function button(text: string, row: number, column: number, data: string): BotButton {
  return { text, row, column, data: Buffer.from(data, 'utf8').toString('base64'), url: null };
}

function urlButton(text: string, row: number, column: number, url: string): BotButton {
  return { text, row, column, data: null, url };
}

function gateButtons(gate: SimGate): BotButton[] {
  return (gate.buttons ?? []).map((b, i) => (b.url ? urlButton(b.text, i, 0, b.url) : button(b.text, i, 0, 'check')));
}

function decode(data: string): string {
  return Buffer.from(data, 'base64').toString('utf8');
}

function norm(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function copy(m: BotMessage): BotMessage {
  return { ...m, buttons: m.buttons.map((b) => ({ ...b })), document: m.document ? { ...m.document } : null };
}


export type { MediaKind };
