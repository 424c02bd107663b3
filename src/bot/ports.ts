/**
 * What the control bot needs beyond JobServiceApi. The bot defines these small interfaces; other
 * folders implement them (src/telegram/login.ts the login flow, src/spotify/ the PKCE login, the
 * composition root the settings store). Only plain data crosses them.
 */
import type { LosslessQuality } from '../domain/job.js';

export type { JobEvent } from '../engine/ports.js';

/**
 * What the login needs next after each step. Same shape as GATEWAY's `LoginProgress`
 * (src/telegram/login.ts), so its `LoginFlow` satisfies `TelegramLoginFlow` as it is.
 */
export type LoginProgress =
  | { next: 'code'; codeVia: 'app' | 'sms' | 'call' | 'other' }
  | { next: 'password'; hint: string | null }
  /** `user` is a display name or @username, never the phone number. */
  | { next: 'done'; user: string | null };

/**
 * The Telegram user login, one step per call, all on the same connected client (sendCode and
 * signIn must share it). A wrong code or password throws a UserError and leaves the flow at the
 * same step, so the owner can try again.
 */
export interface TelegramLoginFlow {
  startLogin(args: { phone: string }): Promise<LoginProgress>;
  /**
   * The code as the owner typed it, separators included ("1-2-3-4-5"): the flow extracts the
   * digits and refuses a bare code (Telegram cancels codes that appear in a message as they are).
   */
  submitCode(text: string): Promise<LoginProgress>;
  submitPassword(password: string): Promise<LoginProgress>;
  /** Drops a login in progress (the owner sent /cancel). */
  cancel(): Promise<void>;
}

/** Spotify Authorization Code + PKCE on a headless server: open the link, paste the redirect back. */
export interface SpotifyLogin {
  /** A fresh authorize URL (new PKCE verifier and state each call). */
  authorizeUrl(): string;
  /** Takes the full URL the browser landed on (with `code` and `state`), exchanges and stores the tokens. */
  completeFromRedirect(url: string): Promise<void>;
}

/** An account as the owner is shown it: the bot's @username and Telegram user id. */
export interface BotAccountView {
  username: string;
  id: string;
}

/**
 * /acceptbot: the account EXTERNAL_BOT_USERNAME now names, waiting for the owner's word after
 * Crate stopped because it is not the bot it had been talking to (the same as `crate accept-bot`).
 */
export interface BotAccountControl {
  /** The account waiting, beside the one Crate knew; null when none waits. */
  pending(): { known: BotAccountView; pending: BotAccountView } | null;
  /** Makes the waiting account the one Crate talks to, if it is still `id`; returns it, or null. */
  accept(id: string): BotAccountView | null;
}

/** The settings the owner may change from the phone (/settings). */
export interface CrateSettings {
  quality: LosslessQuality;
  /** Seconds between messages to the external bot; never below MIN_MESSAGE_GAP_SECONDS. */
  messageGapSeconds: number;
  batchSize: number;
}

/** Durable settings; `update` applies them to what runs (the pacer's gap) as well. */
export interface SettingsStore {
  get(): CrateSettings;
  update(patch: Partial<CrateSettings>): CrateSettings;
}

/** Where a job's progress message lives, so it survives restarts (backed by JobStore in production). */
export interface ProgressMessageRef {
  chatId: number;
  messageId: number;
}

export interface ProgressMessageStore {
  get(jobId: number): ProgressMessageRef | null;
  set(jobId: number, ref: ProgressMessageRef): void;
}

/** One line of `crate doctor` (and the short form in /status). */
/** Name prefix of the doctor check on first contact with the external bot (/status always shows it). */
export const FIRST_CONTACT_CHECK = 'First contact';

export interface CheckResult {
  status: 'ok' | 'warn' | 'fail';
  /** What was found, e.g. "@crate_bot (id 123)". Never a secret. */
  detail: string;
  /** What to do when it is not ok. */
  fix?: string;
}

export interface Check {
  name: string;
  /**
   * `session`: the check reports the Telegram session itself (/status has its own line for it);
   * `needs-session`: it can only pass with a working session (its failure then says nothing new).
   */
  topic?: 'session' | 'needs-session';
  run(signal?: AbortSignal): Promise<CheckResult>;
}

/**
 * `/probe`: one real exchange with the external bot, written down step by step (implemented over
 * the Lossless strategy by src/lossless/exchange/prober.ts). Throws a UserError when it cannot run.
 */
export interface ExchangeProbe {
  /** Longest a probe may take, in seconds. */
  readonly maxSeconds: number;
  probe(query: string, options?: { signal?: AbortSignal }): Promise<{
    /** The steps in plain words, one line each. */
    lines: string[];
    verdict: string;
    /** The anonymised crate-exchange/1 recording (JSON text) and a file name for it. */
    recording: string;
    fileName: string;
  }>;
}
