/**
 * A fake Telegram below GramJS: data centres reached through a fake socket (the `networkSocket`
 * client option), speaking real MTProto — TCP-full framing, auth-key exchange, AES-IGE messages,
 * containers, acks, pings, RPC results and errors, updates pushed by the server. GramJS's own
 * connect, senders (getSender and its borrowing of exported senders, with the 30 s release timer), invoke,
 * reconnect and update loop run unmodified on top of it.
 *
 * Why the socket and not something higher: it is the lowest layer a client option lets us
 * replace, so nothing GramJS does with a connection is skipped. MTProtoSender has no injection
 * point (TelegramClient and its exported-sender factory construct it), and a Connection subclass would
 * still see encrypted bytes, so it would buy nothing over a socket.
 *
 * The world can refuse connections, accept them and never answer (a black hole), never accept
 * them (a dropped SYN), let some requests hang, drop every link for a while, answer any request
 * with an RPC error (FLOOD_WAIT, FLOOD_PREMIUM_WAIT, AUTH_KEY_DUPLICATED, PEER_FLOOD, ...), and
 * send files from another DC (FILE_MIGRATE + auth.ExportAuthorization/ImportAuthorization).
 *
 * Time: latencies use the global setTimeout, so the world runs in real time, or in virtual time
 * under test/fakes/mtproto/virtual-time.ts (which fakes the global timers for GramJS too).
 */
import bigInt from 'big-integer';
import { Api } from 'telegram';
import type { AuthKey } from 'telegram/crypto/AuthKey.js';
import { BinaryReader } from 'telegram/extensions/BinaryReader.js';
import { StringSession } from 'telegram/sessions/index.js';
import { AuthKeyExchange } from './auth-key-exchange.js';
import { socketClassFor, type ClientEnd, type SocketNetwork, type SocketPeer } from './fake-socket.js';
import {
  FullFrameReader,
  FullFrameWriter,
  ServerMsgIds,
  authKeyIdOf,
  decryptFromClient,
  encryptForClient,
  plainMessage,
  readPlainMessage,
  resultBytes,
  rpcErrorBytes,
  rpcResultBody,
  rpcResultFileBody,
  transportError,
  type BodyWriter,
  type FilePartBody,
} from './wire.js';

/** What a request handler throws to answer with an RPC error. */
export class SimRpcError extends Error {
  constructor(
    readonly code: number,
    readonly errorMessage: string,
  ) {
    super(`${code} ${errorMessage}`);
  }
}

export interface RequestContext {
  dcId: number;
  /** The auth key the request came with (string id). */
  authKeyId: string;
  network: FakeTelegramNetwork;
}

/** Answers one request (already unwrapped from InvokeWithLayer/InitConnection). */
export type Responder = (request: any, context: RequestContext) => unknown;

/**
 * A file part the responder has accepted (every check done, errors already thrown) but whose
 * bytes are built only when they leave: a part waiting for the link then holds no body, as on
 * Telegram's side, so the simulator does not inflate the memory of the client under test.
 */
export class DeferredFilePart implements FilePartBody {
  constructor(
    /** Bytes the part carries (reserves its turn on the link). */
    readonly length: number,
    /** upload.File's mtime. */
    readonly mtime: number,
    /** Writes the part's `length` bytes into `out` at `at` (straight into the message being encrypted). */
    readonly fill: (out: Buffer, at: number) => void,
  ) {}
}

export type LinkMode =
  /** Connections are accepted and answered. */
  | 'up'
  /** Connections are refused at once (ECONNREFUSED). */
  | 'refuse'
  /** Connections are accepted; nothing sent on them is ever answered. */
  | 'black-hole'
  /** Connecting never completes (the SYN is dropped). */
  | 'no-answer';

export interface NetworkRecord {
  className: string;
  dcId: number;
  /** Date.now() when the request reached the server. */
  at: number;
  endedAt?: number;
  offset?: number;
  limit?: number;
  bytes?: number;
  error?: string;
  /** Never answered (a hang rule, a black hole, or the link dropped first). */
  hung?: boolean;
}

export interface FakeNetworkOptions {
  /** The DC sessions log in to. Default 2. */
  mainDcId?: number;
  /** Round trip per request, ms: fixed or a [min, max] range. Default 0. */
  latencyMs?: number | [number, number];
  /** Downlink bandwidth of each connection, bytes/s (upload.File bodies share it). Default unlimited. */
  bandwidthBytesPerSec?: number;
  random?: () => number;
}

interface Rule {
  match: (className: string, dcId: number) => boolean;
  once: boolean;
}
interface FailRule extends Rule {
  code: number;
  message: string;
}

/** Telegram's production DC addresses, by DC id (the fake network tells DCs apart by address). */
export const DC_IPS: Record<number, string> = { 1: '149.154.175.53', 2: '149.154.167.50', 3: '149.154.175.100', 4: '149.154.167.91', 5: '91.108.56.130' };

const WRAPPERS = new Set(['InvokeWithLayer', 'InitConnection', 'InvokeWithoutUpdates', 'InvokeAfterMsg', 'InvokeWithTakeout']);

export class FakeTelegramNetwork implements SocketNetwork {
  readonly mainDcId: number;
  readonly records: NetworkRecord[] = [];
  /** Errors thrown by responders (bugs in a test's fake, reported rather than swallowed). */
  readonly responderErrors: unknown[] = [];
  readonly connections = new Set<ServerConnection>();
  /** Connections ever opened, by DC. */
  readonly opened = new Map<number, number>();
  private readonly keys = new Map<string, { key: AuthKey; dcId: number; imported: boolean }>();
  private readonly exported = new Map<string, Buffer>();
  private readonly trusted = new Set<StringSession>();
  private readonly modes = new Map<number | '*', LinkMode>();
  private readonly failures: FailRule[] = [];
  private readonly hangs: Rule[] = [];
  private readonly inFlight = new Map<string, number>();
  private readonly maxInFlight = new Map<string, number>();
  private latency: number | [number, number];
  private bandwidth: number | undefined;
  private readonly random: () => number;
  private responder: Responder = () => {
    throw new Error('fake Telegram: no responder');
  };
  private pushChain: Promise<void> = Promise.resolve();
  private pendingPushes = 0;

  constructor(options: FakeNetworkOptions = {}) {
    this.mainDcId = options.mainDcId ?? 2;
    this.latency = options.latencyMs ?? 0;
    this.bandwidth = options.bandwidthBytesPerSec;
    this.random = options.random ?? Math.random;
  }

  /** The `networkSocket` class to hand to TelegramClient. */
  socketClass(): ReturnType<typeof socketClassFor> {
    return socketClassFor(this);
  }

  setResponder(responder: Responder): void {
    this.responder = responder;
  }

  /** A session on the main DC whose auth key this network knows (as after a real key exchange). */
  sessionSync(): StringSession {
    const key = Buffer.from(Array.from({ length: 256 }, () => Math.floor(this.random() * 256)));
    const session = new StringSession(sessionString({ dcId: this.mainDcId, ip: DC_IPS[this.mainDcId]!, port: 443, key }));
    this.trustSession(session);
    return session;
  }

  /** A session that knows the main DC's address but has no auth key: GramJS runs the key exchange. */
  freshSession(): StringSession {
    const session = new StringSession('');
    session.setDC(this.mainDcId, DC_IPS[this.mainDcId]!, 443);
    return session;
  }

  /**
   * The auth key of this session (now, or once GramJS has loaded it) is one the server knows, as
   * for an account that logged in earlier. A session without a key does the key exchange.
   */
  trustSession(session: StringSession): void {
    this.trusted.add(session);
  }

  // ───────────── conditions ─────────────

  /** How connections to `dcId` (or every DC) behave from now on. */
  setMode(mode: LinkMode, dcId: number | '*' = '*'): void {
    this.modes.set(dcId, mode);
  }

  /** Cuts every live connection (the client sees the socket close). */
  dropLinks(dcId?: number): void {
    for (const c of [...this.connections]) if (dcId === undefined || c.dcId === dcId) c.close();
  }

  /** Every link drops and connections are refused (or black-holed) for `ms`, then the world is up again. */
  outage(ms: number, mode: Exclude<LinkMode, 'up'> = 'refuse'): Promise<void> {
    this.setMode(mode);
    this.dropLinks();
    return new Promise((resolve) =>
      setTimeout(() => {
        this.setMode('up');
        resolve();
      }, ms),
    );
  }

  /** The next request of this class (or '*') fails with the RPC error. */
  failNext(className: string, message: string, code = 400): void {
    this.failures.push({ match: (c) => className === '*' || c === className, once: true, code, message });
  }

  /** Every request of this class (or '*') fails with the RPC error until `clearFailures`. */
  failAlways(className: string, message: string, code = 400): void {
    this.failures.push({ match: (c) => className === '*' || c === className, once: false, code, message });
  }

  clearFailures(): void {
    this.failures.length = 0;
  }

  /** Requests of this class (or '*') reach the server and are never answered, until `clearHangs`. */
  hang(className: string, options: { once?: boolean; dcId?: number } = {}): void {
    this.hangs.push({
      match: (c, dc) => (className === '*' || c === className) && (options.dcId === undefined || dc === options.dcId),
      once: options.once ?? false,
    });
  }

  clearHangs(): void {
    this.hangs.length = 0;
  }

  setLatency(ms: number | [number, number]): void {
    this.latency = ms;
  }

  setBandwidth(bytesPerSec: number | undefined): void {
    this.bandwidth = bytesPerSec;
  }

  /** Most requests of a class in flight at once on one DC (all DCs when `dcId` is omitted). */
  maxConcurrent(className: string, dcId?: number): number {
    if (dcId !== undefined) return this.maxInFlight.get(`${className}@${dcId}`) ?? 0;
    return this.maxInFlight.get(className) ?? 0;
  }

  recordsOf(className: string): NetworkRecord[] {
    return this.records.filter((r) => r.className === className);
  }

  // ───────────── updates ─────────────

  /** Sends updates to the client as Telegram does: a server message on its main connection. */
  pushUpdates(updates: Api.TypeUpdates): void {
    this.pendingPushes++;
    const delay = this.pickLatency() / 2;
    this.pushChain = this.pushChain
      .then(() => wait(delay))
      .then(async () => {
        const target = this.updatesConnection();
        if (target) await target.sendServerMessage(updates.getBytes(), true);
      })
      .catch(() => undefined)
      .finally(() => {
        this.pendingPushes--;
      });
  }

  /** Resolves when every update pushed so far has been delivered and the client has read what it was sent. */
  async flush(): Promise<void> {
    for (let stable = 0; stable < 3; ) {
      await this.pushChain;
      await new Promise((r) => setImmediate(r));
      const busy = this.pendingPushes > 0 || [...this.connections].some((c) => c.busy());
      stable = busy ? 0 : stable + 1;
    }
  }

  /** The main DC's live connection that carries account requests (not only file parts). */
  private updatesConnection(): ServerConnection | undefined {
    const live = [...this.connections].filter((c) => c.dcId === this.mainDcId && c.accountTraffic && !c.closed);
    return live.at(-1);
  }

  // ───────────── internals used by connections ─────────────

  /** SocketNetwork: a client is connecting. */
  async open(ip: string, port: number, socket: ClientEnd): Promise<SocketPeer> {
    const dcId = this.dcOfAddress(ip);
    const mode = this.modes.get(dcId) ?? this.modes.get('*') ?? 'up';
    if (mode === 'refuse') {
      await wait(0);
      throw Object.assign(new Error(`connect ECONNREFUSED ${ip}:${port}`), { code: 'ECONNREFUSED' });
    }
    if (mode === 'no-answer') return new Promise<never>(() => undefined);
    await wait(this.pickLatency() / 2);
    const connection = new ServerConnection(this, dcId, socket, mode === 'black-hole');
    this.connections.add(connection);
    this.opened.set(dcId, (this.opened.get(dcId) ?? 0) + 1);
    return connection;
  }

  modeOf(dcId: number): LinkMode {
    return this.modes.get(dcId) ?? this.modes.get('*') ?? 'up';
  }

  registerKey(key: AuthKey, dcId: number, imported: boolean): void {
    this.keys.set(key.keyId!.toString(), { key, dcId, imported });
  }

  keyById(id: string): { key: AuthKey; dcId: number; imported: boolean } | undefined {
    const known = this.keys.get(id);
    if (known) return known;
    for (const session of this.trusted) {
      const key = session.getAuthKey();
      if (key?.keyId?.toString() === id) {
        this.registerKey(key, this.mainDcId, true);
        return this.keys.get(id);
      }
    }
    return undefined;
  }

  pickLatency(): number {
    const l = this.latency;
    return typeof l === 'number' ? l : l[0] + this.random() * (l[1] - l[0]);
  }

  get bandwidthBytesPerSec(): number | undefined {
    return this.bandwidth;
  }

  takeFailure(className: string, dcId: number): FailRule | undefined {
    const i = this.failures.findIndex((f) => f.match(className, dcId));
    if (i < 0) return undefined;
    const rule = this.failures[i]!;
    if (rule.once) this.failures.splice(i, 1);
    return rule;
  }

  takeHang(className: string, dcId: number): boolean {
    const i = this.hangs.findIndex((h) => h.match(className, dcId));
    if (i < 0) return false;
    if (this.hangs[i]!.once) this.hangs.splice(i, 1);
    return true;
  }

  started(className: string, dcId: number): void {
    for (const k of [className, `${className}@${dcId}`]) {
      const n = (this.inFlight.get(k) ?? 0) + 1;
      this.inFlight.set(k, n);
      this.maxInFlight.set(k, Math.max(n, this.maxInFlight.get(k) ?? 0));
    }
  }

  ended(className: string, dcId: number): void {
    for (const k of [className, `${className}@${dcId}`]) this.inFlight.set(k, (this.inFlight.get(k) ?? 1) - 1);
  }

  /** Requests the network answers itself: they are facts about data centres, not about the account. */
  async answer(request: any, dcId: number, authKeyId: string): Promise<unknown> {
    const className: string = request.className;
    if (className === 'help.GetConfig') return this.config(dcId);
    if (className === 'auth.ExportAuthorization') {
      const bytes = Buffer.from(Array.from({ length: 32 }, () => Math.floor(this.random() * 256)));
      const id = bigInt(Math.floor(this.random() * 2 ** 31));
      this.exported.set(id.toString(), bytes);
      return new Api.auth.ExportedAuthorization({ id, bytes });
    }
    if (className === 'auth.ImportAuthorization') {
      const bytes = this.exported.get(request.id.toString());
      if (!bytes || !bytes.equals(Buffer.from(request.bytes))) throw new SimRpcError(400, 'AUTH_BYTES_INVALID');
      const entry = this.keys.get(authKeyId);
      if (entry) entry.imported = true;
      return new Api.auth.Authorization({ user: new Api.User({ id: bigInt(1), self: true, firstName: 'Imported' }) });
    }
    const entry = this.keys.get(authKeyId);
    if (dcId !== this.mainDcId && entry && !entry.imported) throw new SimRpcError(401, 'AUTH_KEY_UNREGISTERED');
    return this.responder(request, { dcId, authKeyId, network: this });
  }

  unwrap(request: any): any {
    let r = request;
    while (r && WRAPPERS.has(r.className) && r.query) r = r.query;
    return r;
  }

  private dcOfAddress(ip: string): number {
    for (const [id, address] of Object.entries(DC_IPS)) if (address === ip) return Number(id);
    return this.mainDcId;
  }

  private config(dcId: number): Api.Config {
    const now = Math.floor(Date.now() / 1000);
    return new Api.Config({
      date: now,
      expires: now + 3600,
      testMode: false,
      thisDc: dcId,
      dcOptions: Object.entries(DC_IPS).map(([id, ip]) => new Api.DcOption({ id: Number(id), ipAddress: ip, port: 443 })),
      dcTxtDomainName: 'apv3.stel.com',
      chatSizeMax: 200,
      megagroupSizeMax: 200000,
      forwardedCountMax: 100,
      onlineUpdatePeriodMs: 210000,
      offlineBlurTimeoutMs: 5000,
      offlineIdleTimeoutMs: 30000,
      onlineCloudTimeoutMs: 300000,
      notifyCloudDelayMs: 30000,
      notifyDefaultDelayMs: 1500,
      pushChatPeriodMs: 60000,
      pushChatLimit: 2,
      editTimeLimit: 172800,
      revokeTimeLimit: 2147483647,
      revokePmTimeLimit: 2147483647,
      ratingEDecay: 2419200,
      stickersRecentLimit: 200,
      channelsReadMediaPeriod: 604800,
      callReceiveTimeoutMs: 20000,
      callRingTimeoutMs: 90000,
      callConnectTimeoutMs: 30000,
      callPacketTimeoutMs: 10000,
      meUrlPrefix: 'https://t.me/',
      captionLengthMax: 1024,
      messageLengthMax: 4096,
      webfileDcId: 4,
    });
  }
}

/** One accepted TCP connection, seen from the server. */
class ServerConnection implements SocketPeer {
  closed = false;
  /** Carried account requests (not only file parts): where updates go. */
  accountTraffic = false;
  private readonly frames = new FullFrameReader();
  private readonly writer = new FullFrameWriter();
  private readonly msgIds = new ServerMsgIds();
  private readonly exchange: AuthKeyExchange;
  private key: AuthKey | null = null;
  private keyId = '';
  private sessionId = bigInt.zero;
  private salt = bigInt.zero;
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private linkFreeAt = 0;
  private pending = 0;

  constructor(
    private readonly network: FakeTelegramNetwork,
    readonly dcId: number,
    private readonly socket: ClientEnd,
    private readonly blackHole: boolean,
  ) {
    this.exchange = new AuthKeyExchange((key) => network.registerKey(key, dcId, dcId === network.mainDcId));
  }

  busy(): boolean {
    return !this.closed && (this.pending > 0 || this.socket.unread > 0);
  }

  receive(data: Buffer): void {
    if (this.closed || this.blackHole || this.network.modeOf(this.dcId) === 'black-hole') return;
    let packets: Buffer[];
    try {
      packets = this.frames.push(data);
    } catch {
      this.close();
      return;
    }
    for (const packet of packets) {
      this.pending++;
      this.inbound = this.inbound
        .then(() => this.handlePacket(packet))
        .catch((err: unknown) => {
          this.network.responderErrors.push(err);
        })
        .finally(() => {
          this.pending--;
        });
    }
  }

  clientClosed(): void {
    this.closed = true;
    this.network.connections.delete(this);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.network.connections.delete(this);
    this.socket.serverClosed();
  }

  private async handlePacket(packet: Buffer): Promise<void> {
    const keyId = authKeyIdOf(packet);
    if (keyId === '0') {
      const request = new BinaryReader(readPlainMessage(packet)).tgReadObject();
      const answer = await this.exchange.answer(request);
      await wait(this.network.pickLatency());
      this.write(plainMessage(this.msgIds.next(), answer.getBytes()));
      return;
    }
    const entry = this.network.keyById(keyId);
    if (!entry) {
      this.write(transportError(404));
      return;
    }
    this.key = entry.key;
    this.keyId = keyId;
    const envelope = await decryptFromClient(entry.key, packet);
    this.sessionId = envelope.sessionId;
    this.salt = envelope.salt;
    await this.handleObject(envelope.msgId, await new BinaryReader(envelope.body).tgReadObject());
  }

  private async handleObject(msgId: bigInt.BigInteger, obj: any): Promise<void> {
    obj = await obj;
    if (obj === undefined || obj === null) return;
    if (obj.CONSTRUCTOR_ID === 0x73f1f8dc && Array.isArray(obj.messages)) {
      for (const inner of obj.messages) await this.handleObject(inner.msgId, inner.obj);
      return;
    }
    if (obj.CONSTRUCTOR_ID === 0x3072cfa1 && Buffer.isBuffer(obj.data)) {
      await this.handleObject(msgId, await new BinaryReader(obj.data).tgReadObject());
      return;
    }
    if (obj instanceof Api.PingDelayDisconnect || obj instanceof Api.Ping) {
      const pong = new Api.Pong({ msgId, pingId: obj.pingId });
      void this.later(this.network.pickLatency(), () => this.sendServerMessage(pong.getBytes(), false));
      return;
    }
    if (obj.classType !== 'request') return; // acks, state requests: nothing to answer
    void this.serve(msgId, obj);
  }

  private async serve(msgId: bigInt.BigInteger, wrapped: any): Promise<void> {
    const request = this.network.unwrap(wrapped);
    const className: string = request.className;
    if (className !== 'upload.GetFile') this.accountTraffic = true;
    const record: NetworkRecord = { className, dcId: this.dcId, at: Date.now() };
    if (request instanceof Api.upload.GetFile) {
      record.offset = request.offset.toJSNumber();
      record.limit = request.limit;
    }
    this.network.records.push(record);
    const rtt = this.network.pickLatency();
    if (this.network.takeHang(className, this.dcId)) {
      record.hung = true;
      return;
    }
    this.pending++;
    this.network.started(className, this.dcId);
    try {
      await wait(rtt / 2);
      // The answer is decided now (half a round trip in); a file part's bytes are built when they arrive.
      let body: () => BodyWriter;
      const failure = this.network.takeFailure(className, this.dcId);
      try {
        if (failure) throw new SimRpcError(failure.code, failure.message);
        const result = await this.network.answer(request, this.dcId, this.keyId);
        if (result instanceof DeferredFilePart) {
          record.bytes = result.length;
          body = () => rpcResultFileBody(msgId, result);
        } else {
          const bytes = resultBytes(result);
          if (result instanceof Api.upload.File) record.bytes = result.bytes.length;
          body = () => rpcResultBody(msgId, bytes);
        }
      } catch (err) {
        const { code, message } = asRpc(err, this.network);
        record.error = message;
        const bytes = rpcErrorBytes(code, message);
        body = () => rpcResultBody(msgId, bytes);
      }
      // Bytes leave in order at the link's bandwidth; parallel requests overlap their round trips only.
      const bandwidth = this.network.bandwidthBytesPerSec;
      let transfer = 0;
      if (bandwidth && record.bytes) {
        const now = Date.now();
        const startAt = Math.max(now, this.linkFreeAt);
        this.linkFreeAt = startAt + (record.bytes / bandwidth) * 1000;
        transfer = this.linkFreeAt - now;
      }
      await wait(rtt / 2 + transfer);
      if (this.closed) {
        record.hung = true;
        return;
      }
      record.endedAt = Date.now();
      await this.sendServerMessage(body(), true);
    } finally {
      this.pending--;
      this.network.ended(className, this.dcId);
    }
  }

  /** Encrypts and writes one server message, in order. */
  sendServerMessage(body: Buffer | BodyWriter, contentRelated: boolean): Promise<void> {
    const key = this.key;
    if (!key || this.closed) return Promise.resolve();
    const envelope = { salt: this.salt, sessionId: this.sessionId, msgId: this.msgIds.next(), seqNo: contentRelated ? 1 : 0, body };
    this.pending++;
    this.outbound = this.outbound
      .then(async () => {
        const packet = await encryptForClient(key, envelope);
        this.write(packet);
      })
      .catch((err: unknown) => {
        this.network.responderErrors.push(err);
      })
      .finally(() => {
        this.pending--;
      });
    return this.outbound;
  }

  private write(packet: Buffer | readonly Buffer[]): void {
    if (this.closed || this.network.modeOf(this.dcId) === 'black-hole') return;
    this.socket.deliver(this.writer.frame(packet));
  }

  private async later(ms: number, fn: () => Promise<void>): Promise<void> {
    this.pending++;
    try {
      await wait(ms);
      await fn();
    } finally {
      this.pending--;
    }
  }
}

function asRpc(err: unknown, network: FakeTelegramNetwork): { code: number; message: string } {
  if (err instanceof SimRpcError) return { code: err.code, message: err.errorMessage };
  const e = err as { code?: unknown; errorMessage?: unknown };
  if (typeof e?.errorMessage === 'string' && typeof e.code === 'number') return { code: e.code, message: e.errorMessage };
  network.responderErrors.push(err);
  // A bug in a test's fake: say so loudly, the client only sees an RPC error.
  console.error('fake Telegram: a request handler failed', err);
  return { code: 400, message: 'SIMULATOR_FAILED' };
}

function wait(ms: number): Promise<void> {
  if (ms <= 0) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A StringSession string (GramJS's format: version, DC, address, port, auth key). */
export function sessionString(options: { dcId: number; ip: string; port: number; key?: Buffer }): string {
  const address = Buffer.from(options.ip);
  const head = Buffer.alloc(3);
  head.writeUInt8(options.dcId, 0);
  head.writeInt16BE(address.length, 1);
  const port = Buffer.alloc(2);
  port.writeInt16BE(options.port, 0);
  return '1' + Buffer.concat([head, address, port, options.key ?? Buffer.alloc(0)]).toString('base64');
}
