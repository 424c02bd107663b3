/** `crate status`: the jobs, where each stands, and what the pacer is doing. */
import type { Command } from 'commander';
import type { Config } from '../config.js';
import type { SessionStatus } from '../domain/telegram.js';
import type { Logger } from '../logger.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { jobLine, qualitySummary, quarantinedCount } from './job-format.js';
import { withJobStore } from './job-store-access.js';

/** What status can say of the session: a gateway's answer, or only that a session file is saved (no connection). */
export type SessionView = SessionStatus | { state: 'saved'; user: null; detail: string | null };

export interface StatusOptions {
  /** The Telegram session's state (the composition root provides it; without it the line is left out). */
  sessionStatus?: (config: Config, logger: Logger) => Promise<SessionView>;
}

const SESSION_WORDS: Record<SessionView['state'], string> = {
  ready: 'logged in',
  saved: 'session saved',
  no_session: 'not logged in',
  expired: 'session expired or revoked (run `crate login`)',
  offline: 'cannot reach Telegram',
};

export function sessionLine(session: SessionView): string {
  return `Telegram: ${SESSION_WORDS[session.state]}${session.user ? ` as ${session.user}` : ''}${session.detail ? ` (${session.detail})` : ''}`;
}

export function createStatusCommand(options: StatusOptions = {}): RegisterCommand {
  return (program: Command, ctx: CliContext) => {
    program
      .command('status')
      .description('show the jobs, their progress and the pacer (flood limit, daily budget)')
      .option('--json', 'machine-readable output')
      .option('--all', 'list every job, not just the last 10')
      .action(async (opts: { json?: boolean; all?: boolean }) => {
        await status(ctx, options, opts);
      });
  };
}

export const registerStatus: RegisterCommand = createStatusCommand();

async function status(ctx: CliContext, options: StatusOptions, opts: { json?: boolean; all?: boolean }): Promise<void> {
  const config = ctx.config();
  let session: SessionView | null = null;
  if (options.sessionStatus) {
    try {
      session = await options.sessionStatus(config, ctx.logger());
    } catch (err) {
      session = { state: 'offline', user: null, detail: err instanceof Error ? err.message : String(err) };
    }
  }
  const { createPacer } = await import('../engine/create-job-service.js');
  await withJobStore(ctx, (store) => {
    const pacer = createPacer(config, { store }).state();
    const jobs = store.listJobs({ limit: opts.all ? 100_000 : 10 });
    if (opts.json) {
      const out = { session, pacer, jobs: jobs.map((job) => ({ job, counts: store.counts(job.id) })) };
      ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    const w = (s: string) => ctx.stdout.write(`${s}\n`);
    if (session) w(sessionLine(session));
    w(`Pacer: ${pacer.describe}; ${pacer.sentToday}/${pacer.dailyBudget} messages in the last 24 h`);
    if (jobs.length === 0) {
      w('No jobs yet. Start one with `crate download LINK`.');
      return;
    }
    for (const job of jobs) {
      const counts = store.counts(job.id);
      w(jobLine(job, counts, quarantinedCount(store.tracks(job.id, { states: ['mismatch'] }))));
      const q = qualitySummary(store.tracks(job.id, { states: ['done', 'skipped'] }));
      if (q) w(`    quality: ${q}`);
    }
  });
}
