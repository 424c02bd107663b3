/** Fakes of the small interfaces the control bot defines in src/bot/ports.ts. */
import { MIN_MESSAGE_GAP_SECONDS } from '../../src/config.js';
import { UserError } from '../../src/domain/errors.js';
import type { CrateSettings, LoginProgress, SettingsStore, SpotifyLogin, TelegramLoginFlow } from '../../src/bot/ports.js';

/** A login that wants `phone`, then `code`, then (when `password` is set) the 2FA password. */
export class FakeTelegramLoginFlow implements TelegramLoginFlow {
  readonly calls: { step: 'phone' | 'code' | 'password'; value: string }[] = [];
  private stage: 'idle' | 'code' | 'password' | 'done' = 'idle';
  cancelled = 0;
  constructor(readonly expected: { phone: string; code: string; password: string | null; user?: string }) {}

  async startLogin({ phone }: { phone: string }): Promise<LoginProgress> {
    this.calls.push({ step: 'phone', value: phone });
    if (phone !== this.expected.phone) throw new UserError('Telegram does not know this phone number (PHONE_NUMBER_INVALID).');
    this.stage = 'code';
    return { next: 'code', codeVia: 'app' };
  }

  /** Like GATEWAY's LoginFlow with requireSeparators: the typed text, digits extracted, a bare code refused. */
  async submitCode(text: string): Promise<LoginProgress> {
    this.calls.push({ step: 'code', value: text });
    if (this.stage !== 'code') throw new UserError('No login code is expected right now.');
    const code = text.replace(/\D/g, '');
    if (/^\d+$/.test(text.trim())) throw new UserError('Type the code with separators between the digits, e.g. 1-2-3-4-5.');
    if (code !== this.expected.code) throw new UserError('That code is wrong (PHONE_CODE_INVALID).');
    if (this.expected.password === null) return this.finish();
    this.stage = 'password';
    return { next: 'password', hint: 'usual' };
  }

  async submitPassword(password: string): Promise<LoginProgress> {
    this.calls.push({ step: 'password', value: password });
    if (this.stage !== 'password') throw new UserError('No 2FA password is expected right now.');
    if (password !== this.expected.password) throw new UserError('That password is wrong (PASSWORD_HASH_INVALID).');
    return this.finish();
  }

  async cancel(): Promise<void> {
    this.cancelled += 1;
    if (this.stage !== 'done') this.stage = 'idle';
  }

  get loggedIn(): boolean {
    return this.stage === 'done';
  }

  private finish(): LoginProgress {
    this.stage = 'done';
    return { next: 'done', user: this.expected.user ?? '@owner' };
  }
}

export class FakeSpotifyLogin implements SpotifyLogin {
  readonly completed: string[] = [];
  private state = 0;
  constructor(private readonly accountsUrl = 'https://accounts.example.test') {}

  authorizeUrl(): string {
    this.state += 1;
    return `${this.accountsUrl}/authorize?client_id=abc&response_type=code&state=s${this.state}&code_challenge=xyz`;
  }

  async completeFromRedirect(url: string): Promise<void> {
    const parsed = new URL(url);
    if (parsed.searchParams.get('state') !== `s${this.state}`) throw new UserError('That address is from an older login attempt: use the newest link.');
    if (!parsed.searchParams.get('code')) throw new UserError('Spotify did not approve the login.');
    this.completed.push(url);
  }
}

export class FakeSettingsStore implements SettingsStore {
  constructor(private current: CrateSettings = { quality: 'high', messageGapSeconds: 3, batchSize: 12 }) {}
  get(): CrateSettings {
    return { ...this.current };
  }
  update(patch: Partial<CrateSettings>): CrateSettings {
    if (patch.messageGapSeconds !== undefined && patch.messageGapSeconds < MIN_MESSAGE_GAP_SECONDS) {
      throw new UserError('gap below the floor');
    }
    this.current = { ...this.current, ...patch };
    return this.get();
  }
}
