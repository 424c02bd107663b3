/**
 * Plain-data view of the Telegram user side. The GramJS gateway (src/telegram/) converts its
 * vendor objects into these at the edge; nothing above it ever sees a GramJS type.
 */

export interface BotButton {
  text: string;
  row: number;
  column: number;
  /** Callback data, base64-encoded; null for URL / switch-inline buttons. */
  data: string | null;
  url: string | null;
}

export interface DocumentFacts {
  /** Telegram's document id, as a decimal string (it is a 64-bit number). */
  id: string;
  fileName: string | null;
  mimeType: string | null;
  size: number;
  performer: string | null;
  title: string | null;
  durationSec: number | null;
}

export type MediaKind = 'none' | 'photo' | 'document' | 'other';

export interface BotMessage {
  id: number;
  /** Unix seconds. */
  date: number;
  /** Set when the message was edited (Telegram edit date, unix seconds). */
  editDate: number | null;
  /** True for messages we (the owner's account) sent. */
  out: boolean;
  text: string;
  buttons: BotButton[];
  media: MediaKind;
  document: DocumentFacts | null;
  replyToMessageId: number | null;
}

export interface InlineResultInfo {
  /** Opaque handle needed to send the result (query id + result id). */
  queryId: string;
  resultId: string;
  title: string | null;
  description: string | null;
  document: DocumentFacts | null;
  /** The text of the message the result sends (its caption or text), when the bot gave one. */
  text?: string | null;
  /** The keyboard of that message (e.g. a "wait" button while the file is not ready). */
  buttons?: BotButton[];
}

export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /**
   * True while the download waits for a free download slot (other downloads from that data centre
   * are running), false once it may start: time our own queue takes, not the bot's.
   */
  onQueued?: (queued: boolean) => void;
  /** Parts in flight at once. */
  parallelParts?: number;
  /** Bytes per part (512 KiB to 1 MiB). */
  partSize?: number;
}

export interface DownloadResult {
  /** Final path (the `.part` file renamed after a successful size check and fsync). */
  path: string;
  sizeBytes: number;
  /** True when bytes already on disk from an earlier run were reused. */
  resumedFromBytes: number;
}

export type SessionState = 'ready' | 'no_session' | 'expired' | 'offline';

export interface SessionStatus {
  state: SessionState;
  /** Who is logged in, when known (never the phone number). */
  user: string | null;
  detail: string | null;
  /** The account's own names (first, last, username), to remove them from recordings (`crate probe --record`). */
  names?: string[];
}

/** The user session's link to Telegram went down or came back (plain data). */
export interface ConnectionChange {
  state: 'up' | 'down';
  /** Why it is down, in plain words (null when up). */
  detail: string | null;
  /** Epoch ms. */
  at: number;
}

export type IncomingHandler = (message: BotMessage, kind: 'new' | 'edited') => void;

/**
 * Everything Crate does to the owner's Telegram account. Implemented once over GramJS
 * (GramjsGateway) and faked in tests. Methods that send something never pace themselves:
 * callers go through the engine's pacer first.
 */
export interface TelegramGateway {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  status(): Promise<SessionStatus>;
  /** Resolves the external bot (e.g. "@LosslessRobot") and remembers it for the calls below. */
  resolveBot(username: string): Promise<{ id: string; username: string }>;
  sendText(text: string): Promise<BotMessage>;
  /** Presses an inline button of a bot message; returns the callback answer text, if any. */
  clickButton(messageId: number, data: string): Promise<{ message: string | null }>;
  inlineQuery(query: string): Promise<InlineResultInfo[]>;
  /** Sends an inline result into the bot chat; returns our message (which the bot may edit into a document). */
  sendInlineResult(result: InlineResultInfo): Promise<BotMessage>;
  /** Messages of the bot chat with id > minId, oldest first (used for polling and after restarts). */
  history(options: { minId: number; limit: number }): Promise<BotMessage[]>;
  /**
   * Our chosen inline results with id > minId, oldest first, in the chat they are sent to (the
   * owner's Saved Messages when INLINE_SEND_TO=saved): after a restart, the one sent before its id
   * was recorded is found there. Absent: they go to the bot chat, and `history` finds them.
   */
  inlineHistory?(options: { minId: number; limit: number }): Promise<BotMessage[]>;
  getMessages(ids: number[]): Promise<(BotMessage | null)[]>;
  /** Incoming messages from the bot chat, new and edited. Returns an unsubscribe function. */
  onMessage(handler: IncomingHandler): () => void;
  /** Downloads the document of a bot message into `targetPath` via `targetPath + '.part'`. */
  downloadDocument(messageId: number, targetPath: string, options?: DownloadOptions): Promise<DownloadResult>;
  /**
   * The link to Telegram went down or came back (once per change, not per call). Optional: fakes
   * and gateways without a live connection never change.
   */
  onConnectionChange?(listener: (change: ConnectionChange) => void): () => void;
}

/**
 * The external bot as Telegram named it to this account: its user id and the access hash that
 * lets this account address it without asking Telegram again (contacts.ResolveUsername is rate
 * limited, and a username can move to another account: the id is what Crate trusts).
 */
export interface BotPeer {
  /** Telegram user id, decimal (64-bit). */
  userId: string;
  /** Access hash for this account, decimal (64-bit, signed). */
  accessHash: string;
  /** Without the @, as Telegram spells it. */
  username: string;
  isBot: boolean;
  /** Epoch ms when ResolveUsername gave it. */
  resolvedAt: number;
}

export interface StoredBotPeer {
  /** The bot Crate talks to. */
  peer: BotPeer;
  /**
   * The account a later resolve of the username gave instead (another id): nothing is sent to
   * it until the owner accepts it (`crate accept-bot`).
   */
  pending: BotPeer | null;
}

/** Where the external bot's peer is kept, per Telegram account (the owner's user id). */
export interface BotPeerStore {
  get(accountId: string): StoredBotPeer | null;
  /** The bot to talk to from now on (any pending one is dropped). */
  save(accountId: string, peer: BotPeer): void;
  /** A resolve gave another account than the stored one: kept aside for the owner to accept. */
  savePending(accountId: string, peer: BotPeer): void;
}
