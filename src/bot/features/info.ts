/** /start, /help, /status, /jobs: read-only views. */
import { Composer } from 'grammy';
import type { SessionStatus } from '../../domain/telegram.js';
import type { BotContext, BotDeps } from '../context.js';
import { BOT_COMMANDS } from '../commands.js';
import { truncate } from '../format.js';
import { FIRST_CONTACT_CHECK, type Check, type CheckResult } from '../ports.js';
import { describePacer, finishedCount, totalCount } from '../progress-view.js';
import { stateWords } from '../job-state.js';
import { expiryReason } from '../session-gate.js';

async function firstContactLine(check: Check): Promise<string> {
  const result = await check.run().catch((err: unknown): CheckResult => ({ status: 'fail', detail: err instanceof Error ? err.message : String(err) }));
  const icon = result.status === 'ok' ? '🤝' : '⚠️';
  return `${icon} ${check.name}: ${truncate(result.detail, 200)}${result.fix ? ` — ${truncate(result.fix, 200)}` : ''}`;
}

export function sessionLine(session: SessionStatus): string {
  switch (session.state) {
    case 'ready':
      return `✅ Telegram session: ready${session.user ? ` (${session.user})` : ''}`;
    case 'no_session':
      return '❌ Telegram session: not logged in — send /login (jobs wait until then)';
    case 'expired':
      return `❌ Telegram session: expired${session.detail ? ` (${expiryReason(session.detail)})` : ''} — send /login (jobs wait)`;
    case 'offline':
      return `⚠️ Telegram session: offline${session.detail ? ` (${session.detail})` : ''} — Crate keeps retrying; jobs wait`;
  }
}

/** Runs checks side by side, each bounded by a timeout, and summarises them on one or two lines. */
export async function shortChecks(checks: Check[], timeoutMs: number): Promise<string | null> {
  if (checks.length === 0) return null;
  const results = await Promise.all(
    checks.map(async (check): Promise<[string, CheckResult]> => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const timeout = new Promise<CheckResult>((resolve) =>
          controller.signal.addEventListener('abort', () => resolve({ status: 'warn', detail: 'no answer in time' })),
        );
        return [check.name, await Promise.race([check.run(controller.signal), timeout])];
      } catch (err) {
        return [check.name, { status: 'fail', detail: err instanceof Error ? err.message : String(err) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const bad = results.filter(([, r]) => r.status !== 'ok');
  const okCount = results.length - bad.length;
  if (bad.length === 0) return `Checks: all ${okCount} OK`;
  const lines = bad.map(([name, r]) => `  ${r.status === 'fail' ? '❌' : '⚠️'} ${name}: ${truncate(r.fix ?? r.detail, 120)}`);
  return [`Checks: ${okCount} OK, ${bad.length} need attention`, ...lines].join('\n');
}

export function createInfoFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const { service } = deps;

  composer.command('start', async (ctx) => {
    await ctx.reply(
      [
        'Crate turns Spotify playlists into folders of verified FLAC files, using @LosslessRobot through your own Telegram account.',
        '',
        'Next steps:',
        '1. /status — is your Telegram session logged in? If not, /login.',
        '2. Send me a Spotify playlist, album or track link.',
        '3. Press Start. I keep one message per job up to date and ring when it is done.',
        '',
        '/help lists everything.',
      ].join('\n'),
    );
  });

  composer.command('help', async (ctx) => {
    await ctx.reply(
      [
        'Send a Spotify link (playlist, album or track; several at once queue up as jobs).',
        '',
        ...BOT_COMMANDS.map((c) => `/${c.command} — ${c.description}`),
        '',
        'Buttons on a job message: Pause/Resume, Cancel, Retry failed, Missing.',
      ].join('\n'),
    );
  });

  composer.command('status', async (ctx) => {
    // Both bounded, so /status answers within a few seconds whatever Telegram does: the session
    // status waits at most 2.5 s, the checks below 2 s.
    const status = await service.status();
    const lines = ['Crate status', sessionLine(status.session), describePacer(status.pacer, Date.now()) ?? ''];
    if (status.jobs.length === 0) lines.push('No active jobs. Send a Spotify link to start one.');
    for (const p of status.jobs) {
      lines.push(`#${p.job.id} ${truncate(p.job.name, 40)} — ${stateWords(p.job)} ${finishedCount(p.counts)}/${totalCount(p.counts)}`);
    }
    // The session line says it once; checks that need the session add nothing while it is missing.
    const sessionReady = status.session.state === 'ready';
    // First contact is shown either way (has /start gone out, did the bot gate it?); the rest only when not ok.
    const contact = deps.checks.find((c) => c.name.startsWith(FIRST_CONTACT_CHECK));
    if (contact) lines.push(await firstContactLine(contact));
    const relevant = deps.checks.filter((c) => c !== contact && c.topic !== 'session' && (sessionReady || c.topic !== 'needs-session'));
    // Bounded so /status answers within 5 s: the session status above waits at most 2.5 s.
    const checks = await shortChecks(relevant, 2000);
    if (checks) lines.push(checks);
    await ctx.reply(lines.filter(Boolean).join('\n'));
  });

  composer.command('jobs', async (ctx) => {
    const jobs = [...service.listJobs()].sort((a, b) => b.id - a.id).slice(0, 15);
    if (jobs.length === 0) {
      await ctx.reply('No jobs yet. Send a Spotify link.');
      return;
    }
    const lines = jobs.map((job) => {
      const { counts } = service.progress(job.id);
      const missing = counts.not_found + counts.mismatch;
      return `#${job.id} ${truncate(job.name, 40)} — ${stateWords(job)}, ${counts.done + counts.skipped}/${totalCount(counts)} found${missing ? `, ${missing} missing` : ''}${counts.failed ? `, ${counts.failed} failed` : ''}`;
    });
    await ctx.reply(['Recent jobs (newest first):', ...lines, '', '/missing <job> lists what needs you.'].join('\n'));
  });

  return composer;
}
