/**
 * Who the external bot is, for GramjsGateway: its peer (id + access hash) from SQLite when this
 * account resolved it before, else contacts.ResolveUsername once, stored for later starts.
 *
 * Why: ResolveUsername is one of Telegram's most rate-limited calls (a FloodWait on it used to
 * come back on every start), and a username can move to another account. The id is what Crate
 * trusts: when the username later resolves to another id (the stored peer is refused, or the
 * setting names another bot), nothing is sent until the owner accepts the new account.
 */
import bigInt from 'big-integer';
import { Api, type TelegramClient } from 'telegram';
import { FloodWaitError, SafetyStopError } from '../domain/errors.js';
import type { BotPeer, BotPeerStore } from '../domain/telegram.js';
import type { Logger } from '../logger.js';

export interface ResolvedBot {
  id: bigInt.BigInteger;
  username: string;
  inputPeer: Api.InputPeerUser;
  inputUser: Api.InputUser;
}

/** Telegram's FloodWaits as stored for the account (the pacer's record): they outlive a restart. */
export interface FloodRecord {
  /** Epoch ms until which Telegram asked us to wait (0 or past: none). */
  until(): number;
  note(seconds: number): void;
}

/** How a peer fared on its first read: refused (PEER_ID_INVALID and kin) means it is stale. */
export type PeerCheck = 'ok' | 'refused';

export interface BotResolverDeps {
  /** One mapped account request (the gateway's `call`: deadline, domain errors, read flood waits). */
  call<T>(context: string, fn: (client: TelegramClient) => Promise<T>): Promise<T>;
  logger: Logger;
  now: () => number;
  /** Without a store the username is resolved once per gateway (tests, tools). */
  store?: BotPeerStore;
  flood?: FloodRecord;
}

/** The same username: Telegram usernames are case-insensitive. */
function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export class BotResolver {
  private accountId: string | null = null;
  /** A username refused for good in this process (a person or a channel): asked again only after a restart. */
  private refused: { username: string; error: SafetyStopError } | null = null;

  constructor(private readonly deps: BotResolverDeps) {}

  /**
   * The bot behind `username` (without @). `check` reads the chat once with a candidate peer
   * (the baseline read): a stored peer Telegram refuses is resolved again.
   */
  async resolve(username: string, check: (bot: ResolvedBot) => Promise<PeerCheck>): Promise<ResolvedBot> {
    if (this.refused && sameName(this.refused.username, username)) throw this.refused.error;
    const { store } = this.deps;
    const account = store ? await this.account() : null;
    const record = account !== null ? store!.get(account) : null;
    // A resolve already gave another account for this name: it stands until the owner accepts it.
    if (record?.pending && sameName(record.pending.username, username)) throw movedStop(record.peer, record.pending);

    let previous: BotPeer | null = null;
    if (record) {
      previous = record.peer;
      if (sameName(record.peer.username, username) && record.peer.isBot) {
        const bot = asResolved(record.peer);
        if ((await check(bot)) === 'ok') return bot;
        this.deps.logger.warn({ botId: record.peer.userId }, 'Telegram refused the stored peer of the external bot; resolving its username again');
      } else {
        this.deps.logger.info({ stored: record.peer.username, configured: username }, 'the external bot setting names another username; resolving it');
      }
    }

    const peer = await this.resolveUsername(username);
    if (account !== null) {
      if (previous && previous.userId !== peer.userId) {
        store!.savePending(account, peer);
        throw movedStop(previous, peer);
      }
      store!.save(account, peer);
    }
    const bot = asResolved(peer);
    if ((await check(bot)) === 'refused') this.deps.logger.warn({ botId: peer.userId }, 'Telegram refused the bot chat right after resolving it');
    return bot;
  }

  /** The owner's own user id (asked once): the peer (its access hash) is valid for this account only. */
  async account(): Promise<string> {
    if (this.accountId === null) {
      const me = await this.deps.call('getMe', (client) => client.getMe());
      this.accountId = me.id.toString();
    }
    return this.accountId;
  }

  private async resolveUsername(username: string): Promise<BotPeer> {
    const { flood, now } = this.deps;
    const waitMs = (flood?.until() ?? 0) - now();
    // A FloodWait told earlier (maybe before a restart) is honoured: nothing is asked before it ends.
    if (waitMs > 0) throw new FloodWaitError(Math.ceil(waitMs / 1000), 'resolveUsername: a flood wait is in force');
    let resolved: Api.contacts.ResolvedPeer;
    try {
      resolved = await this.deps.call('resolveUsername', (client) => client.invoke(new Api.contacts.ResolveUsername({ username })));
    } catch (err) {
      if (err instanceof FloodWaitError) flood?.note(err.seconds);
      throw err;
    }
    const peer = resolved.peer;
    if (!(peer instanceof Api.PeerUser)) {
      throw this.refuse(username, `@${username} is a channel or group, not a bot: Crate sends nothing to it. Check EXTERNAL_BOT_USERNAME.`);
    }
    const user = resolved.users.find((u): u is Api.User => u instanceof Api.User && u.id.equals(peer.userId));
    if (!user || user.accessHash === undefined) {
      throw new Error(`Telegram resolved @${username} without the account's details; try again later`);
    }
    // Crate talks to a bot; a person (or an impostor account) under that name gets nothing.
    if (!user.bot) {
      throw this.refuse(username, `@${username} is not a bot account: Crate sends nothing to it. Check EXTERNAL_BOT_USERNAME.`);
    }
    return {
      userId: user.id.toString(),
      accessHash: user.accessHash.toString(),
      username: user.username ?? username,
      isBot: true,
      resolvedAt: now(),
    };
  }

  private refuse(username: string, message: string): SafetyStopError {
    const error = new SafetyStopError('bot_account', message);
    this.refused = { username, error };
    return error;
  }
}

/** The input peer GramJS sends with: id + access hash, as Telegram gave them to this account. */
function asResolved(peer: BotPeer): ResolvedBot {
  const userId = bigInt(peer.userId);
  const accessHash = bigInt(peer.accessHash);
  return {
    id: userId,
    username: peer.username,
    inputPeer: new Api.InputPeerUser({ userId, accessHash }),
    inputUser: new Api.InputUser({ userId, accessHash }),
  };
}

/** The username now names another account: stop and let the owner decide. */
function movedStop(known: BotPeer, now: BotPeer): SafetyStopError {
  return new SafetyStopError(
    'bot_account',
    `@${now.username} now belongs to another Telegram account (id ${now.userId}) than the bot Crate has been talking to ` +
      `(@${known.username}, id ${known.userId}): Crate sends nothing to it. If the bot really moved, run \`crate accept-bot\` ` +
      '(or /acceptbot in the control bot), then resume; otherwise check EXTERNAL_BOT_USERNAME.',
  );
}
