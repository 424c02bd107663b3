/** `crate reset [JOB]`: forgets a job's progress (or every job's); the files in the library stay. */
import type { Command } from 'commander';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { pickJob, withJobStore } from './job-store-access.js';

export const registerReset: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('reset [job]')
    .description('forget the progress of one job (or of all jobs); downloaded files are kept')
    .action(async (jobArg: string | undefined) => {
      await withJobStore(ctx, (store) => {
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
        for (const job of jobs) ctx.stdout.write(`Removed job #${job.id} "${job.name}" (${job.total} tracks, ${job.status}).\n`);
        ctx.stdout.write(`Reset ${jobs.length} job${jobs.length === 1 ? '' : 's'}. Files in the library were kept; tracks already there are not downloaded again.\n`);
      });
    });
};
