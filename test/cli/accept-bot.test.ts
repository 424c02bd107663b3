import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { DrizzleBotPeerStore } from '../../src/db/bot-peer-store.js';
import { openJobStore } from '../../src/db/job-store.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function cli(dir: string, argv: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(['node', 'crate', ...argv], {
    stdout,
    stderr,
    env: { CRATE_DATA_DIR: dir, LOG_LEVEL: 'silent' },
    cwd: dir,
    shutdownSignal: new AbortController().signal,
  });
  return { code, out: stdout.text, err: stderr.text };
}

const peer = (userId: string, username: string) => ({ userId, accessHash: '-12345', username, isBot: true, resolvedAt: 1_700_000_000_000 });

describe('crate accept-bot', () => {
  it('promotes the account the username now names; says so plainly; nothing to accept otherwise', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crate-accept-'));
    dirs.push(dir);
    expect(await cli(dir, ['accept-bot'])).toMatchObject({ code: 0, out: expect.stringMatching(/^Nothing to accept: Crate has not resolved the bot yet/) });

    const opened = openJobStore(path.join(dir, 'crate.sqlite'));
    const peers = new DrizzleBotPeerStore(opened.db.db);
    peers.save('100500', peer('7000000001', 'LosslessRobot'));
    opened.close();
    expect(await cli(dir, ['accept-bot'])).toMatchObject({
      code: 0,
      out: 'Nothing to accept: Crate talks to @LosslessRobot (id 7000000001) and no other account is waiting.\n',
    });

    const again = openJobStore(path.join(dir, 'crate.sqlite'));
    new DrizzleBotPeerStore(again.db.db).savePending('100500', peer('7000000999', 'LosslessRobot'));
    again.close();
    const accepted = await cli(dir, ['accept-bot']);
    expect(accepted).toMatchObject({
      code: 0,
      out:
        'Accepted: Crate now talks to @LosslessRobot (id 7000000999) instead of @LosslessRobot (id 7000000001).\n' +
        'Resume the paused job (or start Crate again) to go on.\n',
    });
    const after = openJobStore(path.join(dir, 'crate.sqlite'));
    expect(new DrizzleBotPeerStore(after.db.db).get('100500')).toEqual({ peer: peer('7000000999', 'LosslessRobot'), pending: null });
    after.close();
  });
});
