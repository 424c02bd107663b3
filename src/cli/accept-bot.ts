/**
 * `crate accept-bot`: the owner accepts the account EXTERNAL_BOT_USERNAME now names, after Crate
 * stopped because it resolved to another id than the bot it had been talking to. Touches only
 * SQLite (no Telegram): the next start, or the next resume of a paused job, talks to it.
 */
import type { Command } from 'commander';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { withJobStore } from './job-store-access.js';

export const registerAcceptBot: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('accept-bot')
    .description('talk to the account the bot username now names, after Crate stopped because it changed')
    .action(async () => {
      const { DrizzleBotPeerStore } = await import('../db/bot-peer-store.js');
      await withJobStore(ctx, (_store, db) => {
        const peers = new DrizzleBotPeerStore(db);
        const accepted = peers.acceptPending();
        if (accepted.length === 0) {
          const known = peers.list()[0];
          ctx.stdout.write(
            known
              ? `Nothing to accept: Crate talks to @${known.peer.username} (id ${known.peer.userId}) and no other account is waiting.\n`
              : 'Nothing to accept: Crate has not resolved the bot yet (it does on the first start with a Telegram session).\n',
          );
          return;
        }
        for (const a of accepted) {
          ctx.stdout.write(
            `Accepted: Crate now talks to @${a.accepted.username} (id ${a.accepted.userId}) instead of @${a.previous.username} (id ${a.previous.userId}).\n`,
          );
        }
        ctx.stdout.write('Resume the paused job (or start Crate again) to go on.\n');
      });
    });
};
