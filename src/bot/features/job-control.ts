/** Pause / Resume / Cancel / Retry failed, as buttons and as commands. */
import { Composer } from 'grammy';
import type { JobRecord, JobStatus } from '../../domain/job.js';
import { UserError } from '../../domain/errors.js';
import { decodeCallback, type CallbackAction } from '../callback-data.js';
import { commandNumber, onCallback } from '../callbacks.js';
import type { BotContext, BotDeps } from '../context.js';
import { truncate } from '../format.js';

const ACTIVE: JobStatus[] = ['running', 'pending'];
const JOB_ACTIONS: CallbackAction[] = ['pause', 'resume', 'cancel'];

export function createJobControlFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const { service, progress } = deps;

  // A job button pressed on a message that is not yet the job's progress message (the link
  // preview) makes it so, and it is edited in place instead of a new message appearing.
  composer.on('callback_query:data', async (ctx, next) => {
    const payload = decodeCallback(ctx.callbackQuery.data);
    const message = ctx.callbackQuery.message;
    if (payload && message && JOB_ACTIONS.includes(payload.action)) {
      progress.adopt(payload.id, { chatId: message.chat.id, messageId: message.message_id });
    }
    await next();
  });

  onCallback(composer, ['pause'], async (_ctx, { id }) => {
    await service.pause(id, 'paused by you');
    await progress.flushNow(id);
    return 'Paused';
  });
  onCallback(composer, ['resume'], async (_ctx, { id }) => {
    await service.resume(id);
    await progress.flushNow(id);
    return 'Resumed';
  });
  onCallback(composer, ['cancel'], async (_ctx, { id }) => {
    await service.cancel(id);
    await progress.flushNow(id);
    return 'Cancelled';
  });
  onCallback(composer, ['retryFailed'], async (_ctx, { id }) => {
    const n = await service.retryFailed(id);
    progress.touch(id);
    return n === 0 ? 'Nothing to retry' : `${n} track${n === 1 ? '' : 's'} queued again`;
  });

  const pick = (match: string | undefined, statuses: JobStatus[], verb: string): JobRecord[] => {
    const id = commandNumber(match);
    if (id !== null) return [service.progress(id).job];
    if (match && match.trim()) throw new UserError(`Use /${verb} or /${verb} <job number>, e.g. /${verb} 12.`);
    return service.listJobs().filter((j) => statuses.includes(j.status));
  };

  composer.command('pause', async (ctx) => {
    const jobs = pick(ctx.match, ACTIVE, 'pause');
    if (jobs.length === 0) return void (await ctx.reply('Nothing is running.'));
    for (const job of jobs) {
      await service.pause(job.id, 'paused by you');
      await progress.flushNow(job.id);
    }
    await ctx.reply(`Paused ${jobs.map((j) => `#${j.id}`).join(', ')}. /resume continues.`);
  });

  composer.command('resume', async (ctx) => {
    const jobs = pick(ctx.match, ['paused'], 'resume');
    if (jobs.length === 0) return void (await ctx.reply('Nothing is paused.'));
    for (const job of jobs) {
      await service.resume(job.id);
      await progress.flushNow(job.id);
    }
    await ctx.reply(`Resumed ${jobs.map((j) => `#${j.id}`).join(', ')}.`);
  });

  composer.command('cancel', async (ctx) => {
    const jobs = pick(ctx.match, [...ACTIVE, 'paused'], 'cancel');
    if (jobs.length === 0) return void (await ctx.reply('There is no unfinished job to cancel.'));
    if (jobs.length > 1) {
      // Cancelling is final: with several candidates, the owner names one.
      const list = jobs.map((j) => `#${j.id} ${truncate(j.name, 40)} (${j.status})`).join('\n');
      return void (await ctx.reply(`Which one? Send /cancel <job>:\n${list}`));
    }
    const job = jobs[0] as JobRecord;
    await service.cancel(job.id);
    await progress.flushNow(job.id);
    await ctx.reply(`Cancelled #${job.id}. Files already downloaded stay where they are.`);
  });

  return composer;
}
