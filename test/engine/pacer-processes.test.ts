/**
 * Two (here three) real processes on one SQLite file, each with its own Pacer, all asking for
 * message slots at once: the check-and-record is one BEGIN IMMEDIATE transaction, so the
 * messages of all of them together are never closer than the 2 s floor.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { openJobStore } from '../../src/db/job-store.js';
import { GRANT_HOLD_MS, Pacer, TRANSIT_MARGIN_MS } from '../../src/engine/pacer.js';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./pacer-child.ts', import.meta.url));
const FACTOR = 20;
const PROCESSES = 3;
const PER_PROCESS = 8;

describe('Pacer across processes', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('keeps every message of three processes on one database at least the 2 s floor apart', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-pacer-proc-'));
    const file = path.join(dir, 'crate.sqlite');
    // Migrations first, so the children do not race to create the schema.
    openJobStore(file).close();
    const startAt = Date.now() + 2500;
    const children = Array.from({ length: PROCESSES }, () =>
      run(process.execPath, ['--import', 'tsx', CHILD, file, String(PER_PROCESS), String(FACTOR), String(startAt)], { timeout: 60_000 }),
    );
    const outputs = (await Promise.all(children)).map((r) => JSON.parse(r.stdout.trim()) as { pid: number; sentAt: number[] });
    expect(new Set(outputs.map((o) => o.pid)).size).toBe(PROCESSES);

    const all = outputs.flatMap((o) => o.sentAt.map((at) => ({ at, pid: o.pid }))).sort((a, b) => a.at - b.at);
    expect(all).toHaveLength(PROCESSES * PER_PROCESS);
    const gaps = all.slice(1).map((m, i) => m.at - all[i]!.at);
    const minGap = Math.min(...gaps);
    // The processes really did interleave (not one after another by luck of start-up).
    const switches = all.slice(1).filter((m, i) => m.pid !== all[i]!.pid).length;
    console.log(`pacer across ${PROCESSES} processes: min gap ${(minGap / 1000).toFixed(3)} s over ${all.length} messages, ${switches} hand-overs`);
    expect(switches).toBeGreaterThanOrEqual(PROCESSES - 1);

    // What the database holds agrees: every grant went out, none is left pending.
    const { store, close } = openJobStore(file);
    const rows = store.recentOutgoing(0);
    close();
    const dbGaps = rows.slice(1).map((r, i) => r.sentAt - rows[i]!.sentAt);
    expect(rows).toHaveLength(all.length);
    expect(minGap).toBeGreaterThanOrEqual(2000 + TRANSIT_MARGIN_MS);
    expect(Math.min(...dbGaps)).toBeGreaterThanOrEqual(2000 + TRANSIT_MARGIN_MS);
    expect(rows.filter((r) => r.pending)).toEqual([]);
  }, 90_000);

  it("withdraws the grant of a process that died before sending: the next process's turn comes at once, not after the hold", async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-pacer-dead-'));
    const file = path.join(dir, 'crate.sqlite');
    openJobStore(file).close();
    const child = await run(process.execPath, ['--import', 'tsx', CHILD, file, '1', '1', String(Date.now()), 'exit-after-grant'], { timeout: 60_000 });
    const dead = (JSON.parse(child.stdout.trim()) as { pid: number }).pid;

    const { store, close } = openJobStore(file);
    try {
      // The dead process's grant is in the database, pending, with its pid.
      expect(store.recentOutgoing(0)).toMatchObject([{ pending: true, pid: dead }]);
      const pacer = new Pacer({ store, clock: { now: Date.now, sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : {}) }, messageGapSeconds: 2, dailyBudget: 1_000_000, jitterRatio: 0 });
      const asked = Date.now();
      await pacer.acquire('message');
      pacer.sending('message');
      const waited = Date.now() - asked;
      console.log(`turn after a dead process's grant: ${waited} ms (the hold is ${GRANT_HOLD_MS} ms)`);
      // It never went out, so it neither held the turn (the old hold was 30 s) nor counts.
      expect(waited).toBeLessThan(2000);
      expect(store.recentOutgoing(0)).toMatchObject([{ pending: false, pid: process.pid }]);
      expect(pacer.state().sentToday).toBe(1);
    } finally {
      close();
    }
  }, 90_000);
});
