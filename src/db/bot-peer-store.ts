/**
 * The `bot_peers` table behind the gateway's BotPeerStore: the external bot's id and access hash
 * per Telegram account, so contacts.ResolveUsername runs once per account, not once per start.
 */
import { eq, isNotNull } from 'drizzle-orm';
import type { BotPeer, BotPeerStore, StoredBotPeer } from '../domain/telegram.js';
import type { CrateDb } from './open.js';
import { botPeers } from './schema.js';

type Row = typeof botPeers.$inferSelect;

export class DrizzleBotPeerStore implements BotPeerStore {
  constructor(private readonly db: CrateDb) {}

  get(accountId: string): StoredBotPeer | null {
    const row = this.db.select().from(botPeers).where(eq(botPeers.accountId, accountId)).get();
    return row ? stored(row) : null;
  }

  save(accountId: string, peer: BotPeer): void {
    const values = { ...peerColumns(peer), ...NO_PENDING };
    this.db
      .insert(botPeers)
      .values({ accountId, ...values })
      .onConflictDoUpdate({ target: botPeers.accountId, set: values })
      .run();
  }

  savePending(accountId: string, peer: BotPeer): void {
    // A pending peer only makes sense beside an accepted one (the gateway stores the first resolve directly).
    this.db
      .update(botPeers)
      .set({
        pendingUserId: peer.userId,
        pendingAccessHash: peer.accessHash,
        pendingUsername: peer.username,
        pendingIsBot: peer.isBot,
        pendingResolvedAt: peer.resolvedAt,
      })
      .where(eq(botPeers.accountId, accountId))
      .run();
  }

  /**
   * Every pending peer (or only the one with user id `onlyUserId`: what the owner was shown)
   * becomes the one Crate talks to (`crate accept-bot`, /acceptbot). Returns what was accepted.
   */
  acceptPending(onlyUserId?: string): { accountId: string; previous: BotPeer; accepted: BotPeer }[] {
    return this.db.transaction((tx) => {
      const rows = tx.select().from(botPeers).where(isNotNull(botPeers.pendingUserId)).all();
      const out: { accountId: string; previous: BotPeer; accepted: BotPeer }[] = [];
      for (const row of rows) {
        const { peer, pending } = stored(row);
        if (!pending || (onlyUserId !== undefined && pending.userId !== onlyUserId)) continue;
        tx.update(botPeers).set({ ...peerColumns(pending), ...NO_PENDING }).where(eq(botPeers.accountId, row.accountId)).run();
        out.push({ accountId: row.accountId, previous: peer, accepted: pending });
      }
      return out;
    });
  }

  /** What is stored, for `crate accept-bot` to say what it found. */
  list(): ({ accountId: string } & StoredBotPeer)[] {
    return this.db.select().from(botPeers).all().map((row) => ({ accountId: row.accountId, ...stored(row) }));
  }
}

const NO_PENDING = { pendingUserId: null, pendingAccessHash: null, pendingUsername: null, pendingIsBot: null, pendingResolvedAt: null };

function peerColumns(peer: BotPeer) {
  return { userId: peer.userId, accessHash: peer.accessHash, username: peer.username, isBot: peer.isBot, resolvedAt: peer.resolvedAt };
}

function stored(row: Row): StoredBotPeer {
  const peer: BotPeer = { userId: row.userId, accessHash: row.accessHash, username: row.username, isBot: row.isBot, resolvedAt: row.resolvedAt };
  const pending: BotPeer | null =
    row.pendingUserId !== null && row.pendingAccessHash !== null && row.pendingUsername !== null
      ? {
          userId: row.pendingUserId,
          accessHash: row.pendingAccessHash,
          username: row.pendingUsername,
          isBot: row.pendingIsBot ?? false,
          resolvedAt: row.pendingResolvedAt ?? 0,
        }
      : null;
  return { peer, pending };
}
