/**
 * Crate's side of the download bench, in a process of its own: a GramJS client built with
 * production's options and session class, our downloader, and nothing of the fake Telegram (that
 * runs in telegram-side.ts, reached over loopback TCP through GramJS's own PromisedNetSockets).
 *
 * download.ts compiles this file with its imports from src/ to one plain JS file and runs it with
 * plain node, as `crate download` runs dist/ (no tsx loader in the process); packages (GramJS,
 * big-integer) load from node_modules as in production.
 *
 * Peak RSS is the kernel's high-water mark (VmHWM), reset just before our download starts
 * (/proc/self/clear_refs), so no sampling interval can miss a spike.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Api } from 'telegram';
import { TelegramClient } from 'telegram';
import { BoundedStringSession } from '../../../src/telegram/bounded-session.js';
import { telegramClientParams } from '../../../src/telegram/client-params.js';
import { downloadDocumentInParts } from '../../../src/telegram/downloader.js';
import { createGramjsLogger } from '../../../src/telegram/gramjs-logger.js';
import { tunnelSocketClass } from '../../fakes/mtproto/tcp-tunnel-client.js';
import type { CrateSideCommand, CrateSideReply } from './protocol.js';

const send = (reply: CrateSideReply) => process.send!(reply);
let client: TelegramClient | null = null;
let message: Api.Message | null = null;

function statusBytes(field: 'VmRSS' | 'VmHWM'): number {
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`bench: no ${field} in /proc/self/status`);
  return Number(kb) * 1024;
}

/** Resets the process's peak RSS to its current RSS (Linux 4.0+); false where that is not allowed. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function handle(command: CrateSideCommand): Promise<void> {
  if (command.type === 'start') {
    client = new TelegramClient(new BoundedStringSession(command.session), 12345, '0123456789abcdef0123456789abcdef', {
      ...telegramClientParams(createGramjsLogger()),
      networkSocket: tunnelSocketClass(command.ports),
    });
    client.floodSleepThreshold = 0;
    await client.connect();
    send({ type: 'ready' });
  }
  if (command.type === 'download') {
    const c = client!;
    const fetchMessage = async (): Promise<Api.Message> => {
      const [m] = await c.getMessages(command.botUsername, { ids: [command.messageId] });
      if (!m) throw new Error('bench: document message not found');
      return m;
    };
    message = await fetchMessage();
    const baselineRss = statusBytes('VmRSS');
    const peakFrom = resetPeakRss() ? 'download' : 'process start';
    const started = performance.now();
    const result = await downloadDocumentInParts(c, { message, refetch: fetchMessage, targetPath: command.targetPath, options: {} });
    const seconds = (performance.now() - started) / 1000;
    send({ type: 'downloaded', seconds, bytes: statSync(result.path).size, baselineRss, peakRss: statusBytes('VmHWM'), peakFrom });
  }
  if (command.type === 'downloadMedia') {
    // GramJS's downloadMedia on the same document and link, stopped once the slice is in.
    let bytes = 0;
    let seconds = 0;
    const stopAt = new Error('bench slice done');
    const started = performance.now();
    try {
      await client!.downloadMedia(message!, {
        outputFile: command.targetPath,
        progressCallback: (downloaded, total) => {
          bytes = Number(downloaded.toString());
          seconds = (performance.now() - started) / 1000;
          if (bytes >= command.sliceBytes && bytes < Number(total.toString())) throw stopAt;
        },
      });
    } catch (err) {
      if (err !== stopAt) throw err;
    }
    send({ type: 'downloadMedia', seconds, bytes });
  }
  if (command.type === 'quit') {
    await client?.destroy().catch(() => undefined);
    process.exit(0);
  }
}

// The bench went away without a word: nothing here is worth finishing.
process.on('disconnect', () => process.exit(0));
process.on('message', (command: CrateSideCommand) => {
  handle(command).catch((err: unknown) => {
    console.error('crate side:', err);
    process.exit(1);
  });
});
