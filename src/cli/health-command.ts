/**
 * `crate health`: asks a running `crate serve` (GET /healthz on HEALTH_PORT) whether it works,
 * for scripts and container health checks. Exit 0 when it answers 200, 1 when it answers 503 or
 * cannot be reached, 2 when HEALTH_PORT is not set (nothing to ask).
 */
import type { Command } from 'commander';
import { UserError } from '../domain/errors.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import type { HealthSnapshot } from './health-snapshot.js';

const TIMEOUT_MS = 5000;

export const registerHealth: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('health')
    .description('ask the running `crate serve` whether it works (GET /healthz on HEALTH_PORT): exit 0 healthy, 1 not')
    .option('--json', 'print the health document as it came')
    .action(async (opts: { json?: boolean }) => {
      ctx.exitCode = await health(ctx, opts);
    });
};

async function health(ctx: CliContext, opts: { json?: boolean }): Promise<number> {
  const { port, host } = ctx.config().health;
  if (port === undefined) {
    throw new UserError('HEALTH_PORT is not set, so `crate serve` answers no health checks.', 'Set HEALTH_PORT (e.g. 8686) for serve and for this command.');
  }
  // A server listening on every address is asked on loopback.
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${target.includes(':') ? `[${target}]` : target}:${port}/healthz`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    ctx.stderr.write(`crate: cannot reach crate serve's health endpoint at ${url} (${cause === 'TimeoutError' ? `no answer within ${TIMEOUT_MS / 1000} s` : cause}): is it running, with the same HEALTH_PORT?\n`);
    return 1;
  }
  const text = await res.text();
  let snapshot: HealthSnapshot | null = null;
  try {
    snapshot = JSON.parse(text) as HealthSnapshot;
  } catch {
    snapshot = null;
  }
  if (opts.json) ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  else ctx.stdout.write(`${summary(res.status, snapshot)}\n`);
  return res.status === 200 ? 0 : 1;
}

function summary(status: number, s: HealthSnapshot | null): string {
  if (!s?.bot || !s.userSession) return `${status === 200 ? 'healthy' : 'unhealthy'} (HTTP ${status})`;
  const bot = s.bot.polling ? 'control bot polling' : `control bot not polling${s.bot.detail ? ` (${s.bot.detail})` : ''}`;
  const u = s.userSession;
  const sessionText: Record<string, string> = {
    online: `Telegram online${u.user ? ` as ${u.user}` : ''}`,
    flood_wait: `Telegram flood wait until ${u.floodWaitUntil ?? '?'}`,
    offline: `Telegram offline${u.since ? ` since ${u.since}` : ''}${u.detail ? ` (${u.detail})` : ''}`,
    not_logged_in: 'Telegram not logged in (send /login to the control bot)',
    expired: 'Telegram session expired (send /login to the control bot)',
    starting: 'Telegram session starting',
  };
  const jobs = `${s.jobs.running} job${s.jobs.running === 1 ? '' : 's'} running`;
  const err = s.lastError ? `; last error: ${s.lastError.message}` : '';
  return `${s.ok ? 'healthy' : 'unhealthy'}: ${bot}, ${sessionText[u.state] ?? u.state}, ${jobs}${err}`;
}
