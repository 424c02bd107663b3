/**
 * One of the processes the cross-process pacer test starts: opens the shared SQLite file, waits
 * for the start time the parent gave (so all children hammer at once), then takes COUNT message
 * slots from its own Pacer as fast as it grants them and prints, as one JSON line, when each
 * message "went out" (just before the `sending` call). Time is Date.now() scaled by FACTOR, the same function
 * in every process, so the 2 s floor costs 2000 / FACTOR real ms. MODE `exit-after-grant` takes one
 * grant, prints its pid and exits without sending (a process that died between its turn and the send).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { openJobStore } from '../../src/db/job-store.js';
import { Pacer } from '../../src/engine/pacer.js';
import type { Clock } from '../../src/engine/ports.js';

const [file, countText, factorText, startAtText, mode] = process.argv.slice(2);
if (!file || !countText || !factorText || !startAtText) throw new Error('usage: pacer-child FILE COUNT FACTOR START_AT');
const count = Number(countText);
const factor = Number(factorText);

const clock: Clock = {
  now: () => Date.now() * factor,
  sleep: (ms, signal) => delay(Math.max(0, ms / factor), undefined, signal ? { signal } : {}),
};
const opened = openJobStore(file, { now: clock.now });
// The configured gap is the floor itself (2 s): the test proves the floor, not a comfortable 3 s.
// The grant hold is 30 s of real time, not of the scaled clock: a child the loaded machine
// deschedules for a moment between its turn and its send keeps its turn (as a real one would).
const pacer = new Pacer({ store: opened.store, clock, messageGapSeconds: 2, dailyBudget: 1_000_000, jitterRatio: 0, grantHoldMs: 30_000 * factor });

if (mode === 'exit-after-grant') {
  await pacer.acquire('message');
  opened.close();
  process.stdout.write(`${JSON.stringify({ pid: process.pid })}\n`);
  process.exit(0);
}

await delay(Math.max(0, Number(startAtText) - Date.now()));
const sentAt: number[] = [];
for (let i = 0; i < count; i++) {
  await pacer.acquire('message');
  // Between the grant and the send: the intent is written, the event loop is busy for a moment.
  if (i % 2 === 1) await delay(Math.random() * 10);
  // Read the time before telling the pacer: a process descheduled right after `sending` (2 cores,
  // many processes) would otherwise measure a later time than the one the pacer stamped.
  sentAt.push(clock.now());
  pacer.sending('message');
}
opened.close();
process.stdout.write(`${JSON.stringify({ pid: process.pid, sentAt })}\n`);
