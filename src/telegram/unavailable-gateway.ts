import { SessionExpiredError } from '../domain/errors.js';
import type { DownloadResult, SessionStatus, TelegramGateway } from '../domain/telegram.js';

/**
 * The gateway when there is no usable session (never logged in, settings missing, damaged file).
 * Starting up with it is fine; status() says why, and anything that needs the account fails with
 * SessionExpiredError ("log in again"), which callers already handle.
 */
export class UnavailableGateway implements TelegramGateway {
  constructor(private readonly detail: string) {}

  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  async status(): Promise<SessionStatus> {
    return { state: 'no_session', user: null, detail: this.detail };
  }
  resolveBot(): Promise<{ id: string; username: string }> {
    return this.fail();
  }
  sendText(): Promise<never> {
    return this.fail();
  }
  clickButton(): Promise<never> {
    return this.fail();
  }
  inlineQuery(): Promise<never> {
    return this.fail();
  }
  sendInlineResult(): Promise<never> {
    return this.fail();
  }
  history(): Promise<never> {
    return this.fail();
  }
  getMessages(): Promise<never> {
    return this.fail();
  }
  onMessage(): () => void {
    return () => undefined;
  }
  downloadDocument(): Promise<DownloadResult> {
    return this.fail();
  }

  private async fail(): Promise<never> {
    throw new SessionExpiredError('NO_SESSION');
  }
}
