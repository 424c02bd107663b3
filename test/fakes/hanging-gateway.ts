/**
 * A Telegram user side where every call waits forever (a connection that was accepted and is
 * never answered). Records what was asked, so tests can see that the bot did not wait on it.
 */
import type { DownloadResult, SessionStatus, TelegramGateway } from '../../src/domain/telegram.js';

export class HangingGateway implements TelegramGateway {
  readonly calls: string[] = [];

  private hang<T>(name: string): Promise<T> {
    this.calls.push(name);
    return new Promise<T>(() => undefined);
  }

  connect(): Promise<void> {
    return this.hang('connect');
  }
  disconnect(): Promise<void> {
    return this.hang('disconnect');
  }
  status(): Promise<SessionStatus> {
    return this.hang('status');
  }
  resolveBot(): Promise<{ id: string; username: string }> {
    return this.hang('resolveBot');
  }
  sendText(): Promise<never> {
    return this.hang('sendText');
  }
  clickButton(): Promise<never> {
    return this.hang('clickButton');
  }
  inlineQuery(): Promise<never> {
    return this.hang('inlineQuery');
  }
  sendInlineResult(): Promise<never> {
    return this.hang('sendInlineResult');
  }
  history(): Promise<never> {
    return this.hang('history');
  }
  getMessages(): Promise<never> {
    return this.hang('getMessages');
  }
  onMessage(): () => void {
    return () => undefined;
  }
  downloadDocument(): Promise<DownloadResult> {
    return this.hang('downloadDocument');
  }
}
