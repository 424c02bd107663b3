/** Takes the account lock (at START_AT, epoch ms, when given) in its own process, says so, and holds it until told to stop (or killed). */
import { acquireAccountLock, type LockCommand } from '../../src/lock/account-lock.js';

const [dataDir, command, holdMs, startAt] = process.argv.slice(2);
// Racers start together (tsx start-up times differ by more than a hold).
if (startAt) await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
try {
  const lock = acquireAccountLock(dataDir!, (command ?? 'download') as LockCommand);
  process.stdout.write(`locked ${process.pid}\n`);
  setTimeout(() => {
    lock.release();
    process.stdout.write('released\n');
  }, Number(holdMs ?? 60_000));
} catch (err) {
  process.stdout.write(`refused ${(err as Error).message}\n`);
  process.exitCode = 2;
}
