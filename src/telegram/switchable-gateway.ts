import type {
  BotMessage,
  ConnectionChange,
  DownloadOptions,
  DownloadResult,
  IncomingHandler,
  InlineResultInfo,
  SessionStatus,
  TelegramGateway,
} from '../domain/telegram.js';

/**
 * A gateway whose session can be replaced while the service runs: after a /login from the
 * control bot the new GramJS session takes over, and everything built on top (the reply router's
 * subscription, the job service) keeps working without a restart.
 */
export class SwitchableGateway implements TelegramGateway {
  private readonly handlers = new Map<IncomingHandler, () => void>();
  private readonly connectionListeners = new Set<(change: ConnectionChange) => void>();
  private unsubscribeConnection: () => void = () => undefined;
  private botUsername: string | null = null;

  constructor(private current: TelegramGateway) {
    this.followConnection();
  }

  /** Connection changes of whichever gateway is current reach our listeners. */
  onConnectionChange(listener: (change: ConnectionChange) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private followConnection(): void {
    this.unsubscribeConnection();
    this.unsubscribeConnection =
      this.current.onConnectionChange?.((change) => {
        for (const listener of [...this.connectionListeners]) listener(change);
      }) ?? (() => undefined);
  }

  /** Swaps in a new session: old subscriptions move over, the old client is disconnected. */
  async replace(next: TelegramGateway): Promise<void> {
    const previous = this.current;
    for (const [handler, unsubscribe] of this.handlers) {
      unsubscribe();
      this.handlers.set(handler, next.onMessage(handler));
    }
    this.current = next;
    this.followConnection();
    await previous.disconnect().catch(() => undefined);
  }

  async connect(): Promise<void> {
    await this.current.connect();
    if (this.botUsername) await this.current.resolveBot(this.botUsername);
  }
  disconnect(): Promise<void> {
    return this.current.disconnect();
  }
  status(): Promise<SessionStatus> {
    return this.current.status();
  }
  async resolveBot(username: string): Promise<{ id: string; username: string }> {
    this.botUsername = username;
    return this.current.resolveBot(username);
  }
  sendText(text: string): Promise<BotMessage> {
    return this.current.sendText(text);
  }
  clickButton(messageId: number, data: string): Promise<{ message: string | null }> {
    return this.current.clickButton(messageId, data);
  }
  inlineQuery(query: string): Promise<InlineResultInfo[]> {
    return this.current.inlineQuery(query);
  }
  sendInlineResult(result: InlineResultInfo): Promise<BotMessage> {
    return this.current.sendInlineResult(result);
  }
  history(options: { minId: number; limit: number }): Promise<BotMessage[]> {
    return this.current.history(options);
  }
  inlineHistory(options: { minId: number; limit: number }): Promise<BotMessage[]> {
    return this.current.inlineHistory ? this.current.inlineHistory(options) : this.current.history(options);
  }
  getMessages(ids: number[]): Promise<(BotMessage | null)[]> {
    return this.current.getMessages(ids);
  }
  onMessage(handler: IncomingHandler): () => void {
    this.handlers.set(handler, this.current.onMessage(handler));
    return () => {
      this.handlers.get(handler)?.();
      this.handlers.delete(handler);
    };
  }
  downloadDocument(messageId: number, targetPath: string, options?: DownloadOptions): Promise<DownloadResult> {
    return this.current.downloadDocument(messageId, targetPath, options);
  }
}
