/**
 * Pause / Resume / Cancel / Retry failed, as buttons and as commands. Each press is checked
 * against the job as it is now (buttons stay in old messages): a button that no longer applies
 * answers with the job's state instead of doing something else.
 */
import { Composer } from 'grammy';
import type { JobRecord, JobStatus } from '../../domain/job.js';
import { UserError } from '../../domain/errors.js';
import { decodeCallback, type CallbackAction } from '../callback-data.js';
import { commandNumber, onCallback } from '../callbacks.js';
import type { BotContext, BotDeps } from '../context.js';
import { truncate } from '../format.js';
import { stateSentence, stateWords } from '../job-state.js';
import { askToLogIn, sessionProblem } from '../session-gate.js';

const ACTIVE: JobStatus[] = ['running', 'pending'];
const JOB_ACTIONS: CallbackAction[] = ['pause', 'resume', 'cancel'];
const RESUMABLE: JobStatus[] = ['paused', 'failed'];

export function createJobControlFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const { service, progress } = deps;

  // A job button pressed on a message that is not yet the job's progress message (a notice)
  // makes it so only when the job has none, and it is edited in place instead of a new one appearing.
  composer.on('callback_query:data', async (ctx, next) => {
    const payload = decodeCallback(ctx.callbackQuery.data);
    const message = ctx.callbackQuery.message;
    if (payload && message && JOB_ACTIONS.includes(payload.action)) {
      progress.adopt(payload.id, { chatId: message.chat.id, messageId: message.message_id });
    }
    await next();
  });

  const jobOf = (id: number): JobRecord => service.progress(id).job;

  onCallback(composer, ['pause'], async (_ctx, { id }) => {
    const job = jobOf(id);
    if (!ACTIVE.includes(job.status)) return stateSentence(job);
    await service.pause(id, 'paused by you');
    await progress.flushNow(id);
    return 'Paused';
  });
  onCallback(composer, ['resume'], async (ctx, { id }) => {
    const job = jobOf(id);
    if (!RESUMABLE.includes(job.status)) return stateSentence(job);
    const problem = await sessionProblem(service);
    if (problem) return (await askToLogIn(ctx, deps.loginNotice, problem, `job #${id}`)).toast;
    await service.resume(id);
    await progress.flushNow(id);
    return 'Resumed';
  });
  onCallback(composer, ['cancel'], async (_ctx, { id }) => {
    const job = jobOf(id);
    if (job.status === 'done' || job.status === 'cancelled') return stateSentence(job);
    await service.cancel(id);
    await progress.flushNow(id);
    return 'Cancelled';
  });
  onCallback(composer, ['retryFailed'], async (_ctx, { id }) => {
    const job = jobOf(id);
    if (job.status === 'cancelled') return stateSentence(job);
    const n = await service.retryFailed(id);
    progress.touch(id);
    return n === 0 ? 'Nothing to retry' : `${n} track${n === 1 ? '' : 's'} queued again`;
  });

  const pick = (match: string | undefined, statuses: JobStatus[], verb: string): JobRecord[] => {
    const id = commandNumber(match);
    if (id !== null) {
      const job = service.listJobs().find((j) => j.id === id);
      if (!job) throw new UserError(`There is no job #${id}.`, '/jobs lists your jobs.');
      return [job];
    }
    if (match && match.trim()) throw new UserError(`Use /${verb} or /${verb} <job number>, e.g. /${verb} 12.`);
    return service.listJobs().filter((j) => statuses.includes(j.status));
  };
  /** Named jobs that cannot take the command are answered with their state, the rest are acted on. */
  const split = (jobs: JobRecord[], statuses: JobStatus[]) => ({
    ok: jobs.filter((j) => statuses.includes(j.status)),
    refused: jobs.filter((j) => !statuses.includes(j.status)).map(stateSentence),
  });

  composer.command('pause', async (ctx) => {
    const { ok, refused } = split(pick(ctx.match, ACTIVE, 'pause'), ACTIVE);
    if (refused.length > 0) return void (await ctx.reply(refused.join('\n')));
    if (ok.length === 0) return void (await ctx.reply('Nothing is running.'));
    for (const job of ok) {
      await service.pause(job.id, 'paused by you');
      await progress.flushNow(job.id);
    }
    await ctx.reply(`Paused ${ok.map((j) => `#${j.id}`).join(', ')}. /resume continues.`);
  });

  composer.command('resume', async (ctx) => {
    const { ok, refused } = split(pick(ctx.match, ['paused'], 'resume'), RESUMABLE);
    if (refused.length > 0) return void (await ctx.reply(refused.join('\n')));
    if (ok.length === 0) return void (await ctx.reply('Nothing is paused.'));
    const problem = await sessionProblem(service);
    if (problem) {
      const asked = await askToLogIn(ctx, deps.loginNotice, problem, ok.map((j) => `job #${j.id}`).join(', '));
      // Within the throttle no message went out: a command still gets an answer.
      if (!asked.sent) await ctx.reply(asked.toast);
      return;
    }
    for (const job of ok) {
      await service.resume(job.id);
      await progress.flushNow(job.id);
    }
    await ctx.reply(`Resumed ${ok.map((j) => `#${j.id}`).join(', ')}.`);
  });

  composer.command('cancel', async (ctx) => {
    const unfinished: JobStatus[] = [...ACTIVE, 'paused', 'failed'];
    const { ok: jobs, refused } = split(pick(ctx.match, [...ACTIVE, 'paused'], 'cancel'), unfinished);
    if (refused.length > 0) return void (await ctx.reply(refused.join('\n')));
    if (jobs.length === 0) return void (await ctx.reply('There is no unfinished job to cancel.'));
    if (jobs.length > 1) {
      // Cancelling is final: with several candidates, the owner names one.
      const list = jobs.map((j) => `#${j.id} ${truncate(j.name, 30)} (${stateWords(j)})`).join('\n');
      return void (await ctx.reply(`Which one? Send /cancel <job>:\n${list}`));
    }
    const job = jobs[0] as JobRecord;
    await service.cancel(job.id);
    await progress.flushNow(job.id);
    await ctx.reply(`Cancelled #${job.id}. Files already downloaded stay where they are.`);
  });

  return composer;
}
