/**
 * Telegram goes away in the middle of a job, for minutes, with GramJS's own connection code
 * running over the fake MTProto network and everything (engine, bot, GramJS, network) on one
 * virtual timeline: the job pauses "Telegram unreachable", the owner is told once when it goes and
 * once when it is back, the job resumes by itself, and no burst of queued messages follows.
 */
import type { JobEvent } from '../../../src/engine/ports.js';
import { FakeTelegramNetwork } from '../../fakes/mtproto/fake-network.js';
import { installVirtualTime } from '../../fakes/mtproto/virtual-time.js';
import { check, expectClean } from './checks.js';
import type { ChaosCase } from './faults.js';
import { GlobalTimeClock } from './global-time-clock.js';
import { catalogue, createStack } from './stack.js';

type ConnectionEvent = Extract<JobEvent, { type: 'telegram_connection' }>;

function outageCase(name: string, mode: 'black-hole' | 'refuse', outageMs: number): ChaosCase {
  return {
    name,
    run: async () => {
      const vt = installVirtualTime();
      const network = new FakeTelegramNetwork({ latencyMs: [40, 120] });
      const s = createStack({
        transport: 'gramjs',
        gramjsFactory: true,
        gramjs: { network },
        clock: new GlobalTimeClock(vt),
        tracks: catalogue(8, () => ({ bytes: 3 * 1024 * 1024 })),
      });
      try {
        // The link goes away once three messages have reached the bot.
        let outage: { from: number; to: number } | null = null;
        const watch = setInterval(() => {
          if (outage || s.bot.actions().filter((a) => a.kind === 'send').length < 3) return;
          outage = { from: Date.now(), to: Date.now() + outageMs };
          void network.outage(outageMs, mode);
          clearInterval(watch);
        }, 250);
        const first = await s.download({ maxVirtualMs: 6 * 3600_000 });
        const jobId = first.id;
        // Paused by the outage, then resumed by the recovery: wait for the end on virtual time.
        await vt.run(
          new Promise<void>((resolve) => {
            const poll = setInterval(() => {
              const job = s.store.getJob(jobId);
              if (job && (job.status === 'done' || job.status === 'failed' || job.status === 'cancelled')) {
                clearInterval(poll);
                resolve();
              }
            }, 1_000);
          }),
          { maxVirtualMs: 6 * 3600_000 },
        );
        clearInterval(watch);
        const job = s.store.getJob(jobId)!;
        check(outage !== null, 'the outage never started');
        check(job.status === 'done', `job ${job.status}: ${job.pauseReason}`);
        const told = s.events.filter((e): e is ConnectionEvent => e.type === 'telegram_connection');
        check(
          told.map((e) => e.state).join(',') === 'down,up',
          `owner told ${told.length} times: ${told.map((e) => `${e.state}${e.detail ? ` (${e.detail})` : ''}`).join(', ')}`,
        );
        const paused = s.events.find((e) => e.type === 'job_paused');
        check(paused?.type === 'job_paused' && paused.reason === 'Telegram unreachable', `paused with: ${paused?.type === 'job_paused' ? paused.reason : 'no pause'}`);
        const { from, to } = outage as { from: number; to: number };
        const during = s.bot.actions().filter((a) => a.at > from + 1_000 && a.at < to);
        check(during.length === 0, `${during.length} actions reached the bot during the outage`);
        const n = await expectClean(s.music, s.tracks(jobId), s.bot, { folder: 'Chaos Set' });
        return {
          detail: `${outageMs / 60_000} min ${mode} mid-job: paused "Telegram unreachable", told "${told[0]!.detail}" then "back", ${n}/8 stored`,
          pacing: [{ actions: s.bot.actions(), floods: [], gapMs: 3000 }],
        };
      } finally {
        s.close();
        await vt.run(new Promise((r) => setTimeout(r, 3_000))).catch(() => undefined);
        vt.uninstall();
        s.dispose();
      }
    },
  };
}

export const OUTAGE_CASES: ChaosCase[] = [
  outageCase('Telegram silent for 5 minutes mid-job (GramJS own connection code, virtual time)', 'black-hole', 5 * 60_000),
  outageCase('Telegram refusing connections for 3 minutes mid-job', 'refuse', 3 * 60_000),
];
