/**
 * `serve` never adopts a job another live process runs: the running job carries its process
 * (recorded in SQLite), and resumeInterrupted / run skip it while that process lives.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import { jobOwnership } from '../../src/lock/job-ownership.js';
import { currentProcess, encodeIdentity, readProcStart } from '../../src/lock/process-identity.js';
import { LINK, createHarness, removeDir, type Harness } from '../engine/harness.js';

describe('job ownership across processes', () => {
  const harnesses: Harness[] = [];
  afterEach(() => {
    for (const h of harnesses.splice(0)) {
      h.close();
      removeDir(h.dir);
    }
  });

  it('leaves a job alone while the process running it lives, and resumes it once that process is gone', async () => {
    const h = createHarness({ tracks: 3, service: { process: jobOwnership('serve') } });
    harnesses.push(h);
    const job = await h.service.createJob(LINK);
    // A `crate download` in another process is running this job right now.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    await new Promise((resolve) => other.on('spawn', resolve));
    const identity = { ...currentProcess(), pid: other.pid!, procStart: readProcStart(other.pid!) };
    h.store.updateJob(job.id, { status: 'running' });
    h.store.setJobOwner(job.id, `download|${encodeIdentity(identity)}`);

    expect(h.service.resumeInterrupted()).toEqual([]);
    const refused = await h.service.run(job.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as Error).message).toBe(`Job ${job.id} is being run by \`crate download\` (pid ${other.pid}); it cannot run here at the same time.`);
    expect(h.acquirer.calls).toHaveLength(0);

    other.kill('SIGKILL');
    await new Promise((resolve) => other.on('exit', resolve));
    expect(h.service.resumeInterrupted()).toEqual([job.id]);
    const done = await h.clock.run(h.service.run(job.id));
    expect(done.status).toBe('done');
    // Ours while it ran, nobody's once finished.
    expect(h.store.jobOwner(job.id)).toBeNull();
  });

  it('holding the account lock, adopts a job whose recorded process looks alive here: it cannot be running one (a pid from another container)', async () => {
    const h = createHarness({ tracks: 2, service: { process: jobOwnership('serve', { holdsAccountLock: true }) } });
    harnesses.push(h);
    const job = await h.service.createJob(LINK);
    // Recorded by `crate download` in another container as its pid 1; here pid 1 is alive (init).
    h.store.updateJob(job.id, { status: 'running' });
    h.store.setJobOwner(job.id, `download|${encodeIdentity({ ...currentProcess(), host: 'c0ffee15dead', pid: 1, procStart: null })}`);
    expect(h.service.resumeInterrupted()).toEqual([job.id]);
    // Another machine (another boot) is still left alone: we cannot see it.
    const other = await h.service.createJob(LINK, { outputDir: '/elsewhere' });
    h.store.updateJob(other.id, { status: 'running' });
    h.store.setJobOwner(other.id, `download|${encodeIdentity({ host: 'nas-in-the-attic', pid: 4242, procStart: null, bootId: 'another-boot' })}`);
    expect(h.service.resumeInterrupted()).not.toContain(other.id);
  });

  it('marks the job with this process while it runs', async () => {
    const ownership = jobOwnership('download');
    const h = createHarness({ tracks: 2, acquirer: { latencyMs: 5_000 }, service: { process: ownership } });
    harnesses.push(h);
    const job = await h.service.createJob(LINK);
    h.service.start(job.id);
    await h.clock.advance(1000);
    expect(h.store.jobOwner(job.id)).toBe(ownership.owner);
    expect(ownership.isAlive(ownership.owner)).toBe(true);
    await h.clock.run(h.service.shutdown());
    expect(h.store.jobOwner(job.id)).toBeNull();
  });
});
