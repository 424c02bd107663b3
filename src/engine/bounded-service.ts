/**
 * The JobService as the control bot sees it: every call that can end up waiting on Telegram has
 * a deadline, so a handler always answers within seconds. grammY handles one update at a time;
 * a handler stuck on a Telegram request that never returns would freeze the whole bot, so no
 * handler may await an unbounded call. (Running handlers concurrently with @grammyjs/runner does
 * not help here: there is one chat, the owner's, and its updates must stay in order for the
 * login and Spotify conversations.)
 *
 * Past a deadline the work goes on in the background and the owner gets a plain answer: the
 * bot's menu for a track "did not come in time".
 */
import { UserError } from '../domain/errors.js';
import { withDeadline } from './deadline.js';
import type { JobServiceApi } from './job-service-api.js';

export interface ServiceDeadlines {
  /** The bot's own menu for a track is fetched from @LosslessRobot (default 20 s: paced sends). */
  menuMs?: number;
}

export function boundedService(service: JobServiceApi, deadlines: ServiceDeadlines = {}): JobServiceApi {
  const menuMs = deadlines.menuMs ?? 20_000;
  // pause / cancel are not cut short: the card's "⏸ paused" edit follows their settling (answering
  // early left the card behind), and the runner's abort reaches every paced call.
  const bounded: Pick<JobServiceApi, 'menuRows'> = {
    menuRows: (trackId) =>
      withDeadline(service.menuRows(trackId), menuMs, () => {
        throw new UserError(
          `@LosslessRobot's menu did not come within ${Math.round(menuMs / 1000)} s (Telegram may be slow or unreachable).`,
          'Try again in a minute; /status shows whether Telegram is reachable.',
        );
      }),
  };
  // Everything else goes straight to the service (reads of SQLite, queueing): nothing there waits
  // on Telegram. A Proxy keeps methods added to the service later passing through unchanged.
  return new Proxy(service, {
    get(target, prop, receiver) {
      if (prop in bounded) return bounded[prop as keyof typeof bounded];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
