import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { requireSettings } from '../config.js';
import { UserError } from '../domain/errors.js';
import type { LoginFlow, LoginFlowOptions, LoginProgress } from '../telegram/login.js';
import { sessionFilePath } from '../telegram/session-file.js';
import { acquireAccountLock } from '../lock/account-lock.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';

export interface LoginCommandDeps {
  /** Where answers are read from; defaults to process.stdin. */
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Builds the unconnected GramJS client (tests hand in an offline one). */
  createClient?: LoginFlowOptions['createClient'];
}

const MAX_TRIES = 3;

const VIA_TEXT: Record<string, string> = {
  app: 'in your Telegram app (a message from "Telegram")',
  sms: 'by SMS',
  call: 'by a phone call',
  other: 'by Telegram',
};

/**
 * `crate login`: logs the owner's Telegram account in from a terminal (phone, code, 2FA
 * password with its hint) and saves the session file. The code is not sent through Telegram
 * here, so plain digits are fine.
 */
export function createLoginCommand(deps: LoginCommandDeps = {}): RegisterCommand {
  return (program, ctx) => {
    program
      .command('login')
      .description('log in to your Telegram account (the one that talks to the external bot)')
      .option('--phone <number>', 'phone number in international form (default: TELEGRAM_PHONE_NUMBER or a prompt)')
      .action(async (opts: { phone?: string; debug?: boolean }) => {
        await runLogin(ctx, deps, opts);
      });
  };
}

export const registerLogin: RegisterCommand = createLoginCommand();

async function runLogin(ctx: CliContext, deps: LoginCommandDeps, opts: { phone?: string; debug?: boolean }): Promise<void> {
  const config = ctx.config();
  requireSettings(config, ['telegramUser']);
  // A login beside a running serve or download would put a second connection on the account.
  const lock = acquireAccountLock(config.dataDir, 'login');
  const logger = ctx.logger({ debug: opts.debug });
  const { LoginFlow } = await import('../telegram/login.js');
  const prompt = new Prompter(deps.input ?? process.stdin, ctx.stdout);
  const flow = new LoginFlow({ config, logger, requireSeparators: false, createClient: deps.createClient });
  const onAbort = () => {
    void flow.cancel();
    prompt.close();
  };
  ctx.shutdownSignal.addEventListener('abort', onAbort, { once: true });
  try {
    const phone = opts.phone ?? config.telegram.phoneNumber ?? (await prompt.ask('Phone number (e.g. +441234567890): '));
    let progress: LoginProgress = await flow.startLogin({ phone });
    if (progress.next === 'code') {
      ctx.stdout.write(`Telegram sent a login code ${VIA_TEXT[progress.codeVia] ?? 'by Telegram'}.\n`);
      progress = await retrying(flow, 'code', () => prompt.ask('Login code: '), (code) => flow.submitCode(code), ctx);
    }
    if (progress.next === 'password') {
      ctx.stdout.write(`This account has two-step verification.${progress.hint ? ` Password hint: ${progress.hint}` : ''}\n`);
      progress = await retrying(flow, 'password', () => prompt.ask('2FA password: ', { hidden: true }), (pw) => flow.submitPassword(pw), ctx);
    }
    if (progress.next !== 'done') throw new Error(`login stopped at an unexpected step: ${progress.next}`);
    ctx.stdout.write(
      `Logged in${progress.user ? ` as ${progress.user}` : ''}. Session saved to ${sessionFilePath(config.dataDir)} ` +
        '(keep it private: it gives full access to your account).\n',
    );
  } finally {
    ctx.shutdownSignal.removeEventListener('abort', onAbort);
    prompt.close();
    await flow.cancel();
    lock.release();
  }
}

/** Asks again after a wrong code or password, as long as the flow is still waiting for one. */
async function retrying(
  flow: LoginFlow,
  step: 'code' | 'password',
  ask: () => Promise<string>,
  submit: (answer: string) => Promise<LoginProgress>,
  ctx: CliContext,
): Promise<LoginProgress> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await submit(await ask());
    } catch (err) {
      if (!(err instanceof UserError) || flow.step !== step || attempt >= MAX_TRIES) throw err;
      ctx.stderr.write(`${err.message}${err.hint ? `\n${err.hint}` : ''}\n`);
    }
  }
}

/**
 * Line-by-line answers from a stream. Lines are queued as they arrive, so piped input works as
 * well as a terminal; hidden answers are not echoed on a TTY.
 */
class Prompter {
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private closed = false;
  private muted = false;
  private readonly rl: ReturnType<typeof createInterface>;

  constructor(
    input: NodeJS.ReadableStream & { isTTY?: boolean },
    private readonly output: NodeJS.WritableStream,
  ) {
    const echo = new Writable({
      write: (chunk, _encoding, done) => {
        if (!this.muted) output.write(chunk);
        done();
      },
    });
    this.rl = createInterface({ input, output: echo, terminal: Boolean(input.isTTY) });
    this.rl.on('line', (line) => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = null;
        resolve(line);
      } else {
        this.lines.push(line);
      }
    });
    this.rl.on('close', () => {
      this.closed = true;
      this.waiting?.(null);
      this.waiting = null;
    });
  }

  async ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
    this.output.write(question);
    this.muted = Boolean(options.hidden);
    const line =
      this.lines.shift() ?? (this.closed ? null : await new Promise<string | null>((resolve) => (this.waiting = resolve)));
    if (this.muted) this.output.write('\n');
    this.muted = false;
    if (line === null) throw new UserError('Login cancelled: no more input.', 'Run `crate login` in a terminal.');
    return line.trim();
  }

  close(): void {
    this.rl.close();
  }
}
