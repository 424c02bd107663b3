/** `crate reset [JOB]`: forgets a job's progress (or every job's); the files in the library stay. */
import type { Command } from 'commander';
import { removePartialDownloads } from '../library/partial-downloads.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { counted } from './job-format.js';
import { pickJob, withJobStore } from './job-store-access.js';

export const registerReset: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('reset [job]')
    .description('forget the progress of one job (or of all jobs); downloaded files are kept')
    .action(async (jobArg: string | undefined) => {
      await withJobStore(ctx, async (store) => {
        const jobs = jobArg !== undefined ? [pickJob(store, jobArg)] : store.listJobs({ limit: 1_000_000 });
        if (jobs.length === 0) {
          ctx.stdout.write('Nothing to reset: there are no jobs.\n');
          return;
        }
        for (const job of jobs) {
          if (job.status === 'running') {
            ctx.stderr.write(`Note: job #${job.id} is marked running; if \`crate serve\` is running it, pause it there first.\n`);
          }
        }
        if (jobArg !== undefined) store.deleteJob(jobs[0]!.id);
        else store.deleteAllJobs();
        // What a forgotten job had half downloaded is of no use to the next one (a new job, a new
        // folder): .crate-partial/job-N/ goes too. Not under a job that may still be running.
        for (const job of jobs) {
          if (job.status === 'running') continue;
          await removePartialDownloads(job.options.outputDir, job.id).catch((err: unknown) => {
            ctx.stderr.write(`Note: could not remove the partial downloads of job #${job.id} (${(err as Error).message}); they can be deleted by hand.\n`);
          });
        }
        for (const job of jobs) ctx.stdout.write(`Removed job #${job.id} "${job.name}" (${counted(job.total, 'track')}, ${job.status}).\n`);
        ctx.stdout.write(`Reset ${jobs.length} job${jobs.length === 1 ? '' : 's'}. Files in the library were kept; tracks already there are not downloaded again.\n`);
      });
    });
};
