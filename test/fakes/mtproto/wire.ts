/**
 * The server half of MTProto's wire format, for the fake Telegram data centres: TCP "full"
 * framing (GramJS's default ConnectionTCPFull), plain messages (auth-key exchange), and messages
 * encrypted with an auth key (MTProto 2.0, the server's side: x = 8 when sending, x = 0 when
 * reading what the client sent). Built from GramJS's own public helpers (IGE, sha256, crc32,
 * BinaryReader), so any bug in how GramJS frames or encrypts would show up as a failing test.
 */
import { createHash } from 'node:crypto';
import bigInt from 'big-integer';
import { Api } from 'telegram';
import { BinaryReader } from 'telegram/extensions/BinaryReader.js';
import { IGE } from 'telegram/crypto/IGE.js';
import type { AuthKey } from 'telegram/crypto/AuthKey.js';
import { crc32, generateRandomBytes, readBigIntFromBuffer, readBufferFromBigInt, sha256, toSignedLittleBuffer } from 'telegram/Helpers.js';

/** Splits a TCP-full byte stream into packets; keeps the rest for the next chunk. */
export class FullFrameReader {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const packets: Buffer[] = [];
    while (this.buffer.length >= 4) {
      const length = this.buffer.readInt32LE(0);
      if (length < 12) throw new Error(`fake Telegram: bad TCP-full packet length ${length}`);
      if (this.buffer.length < length) break;
      const packet = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      const checksum = packet.readUInt32LE(length - 4);
      if (crc32(packet.subarray(0, length - 4)) !== checksum) throw new Error('fake Telegram: bad TCP-full checksum');
      packets.push(Buffer.from(packet.subarray(8, length - 4)));
    }
    return packets;
  }
}

export class FullFrameWriter {
  private counter = 0;

  /** One allocation per frame (the packet may come in pieces): a 1 MiB file part costs one copy here, not three. */
  frame(packet: Buffer | readonly Buffer[]): Buffer {
    const pieces = Buffer.isBuffer(packet) ? [packet] : packet;
    const length = pieces.reduce((n, p) => n + p.length, 0) + 12;
    const out = Buffer.allocUnsafe(length);
    out.writeInt32LE(length, 0);
    out.writeInt32LE(this.counter++, 4);
    let at = 8;
    for (const piece of pieces) at += piece.copy(out, at);
    out.writeUInt32LE(crc32(out.subarray(0, length - 4)), length - 4);
    return out;
  }
}

/** Server message ids: time-based, odd (a response), strictly increasing per connection. */
export class ServerMsgIds {
  private last = 0n;

  next(): bigInt.BigInteger {
    let id = (BigInt(Math.floor(Date.now() / 1000)) << 32n) | 1n;
    if (id <= this.last) id = this.last + 4n;
    this.last = id;
    return bigInt(id.toString());
  }
}

export function authKeyIdOf(packet: Buffer): string {
  return readBigIntFromBuffer(packet.subarray(0, 8)).toString();
}

async function calcKey(authKey: Buffer, msgKey: Buffer, fromClient: boolean): Promise<{ key: Buffer; iv: Buffer }> {
  const x = fromClient ? 0 : 8;
  const a = await sha256(Buffer.concat([msgKey, authKey.subarray(x, x + 36)]));
  const b = await sha256(Buffer.concat([authKey.subarray(x + 40, x + 76), msgKey]));
  return {
    key: Buffer.concat([a.subarray(0, 8), b.subarray(8, 24), a.subarray(24, 32)]),
    iv: Buffer.concat([b.subarray(0, 8), a.subarray(8, 24), b.subarray(24, 32)]),
  };
}

/**
 * A message body written straight into the buffer it is encrypted from, so a file part is not
 * copied on its way (the simulator's copies would be counted against the client under test).
 */
export interface BodyWriter {
  readonly length: number;
  writeInto(out: Buffer, at: number): void;
}

function asBodyWriter(body: Buffer | BodyWriter): BodyWriter {
  if (!Buffer.isBuffer(body)) return body;
  return { length: body.length, writeInto: (out, at) => void body.copy(out, at) };
}

export interface ClientEnvelope {
  salt: bigInt.BigInteger;
  sessionId: bigInt.BigInteger;
  msgId: bigInt.BigInteger;
  seqNo: number;
  /** The message body, not yet parsed. */
  body: Buffer;
}

/** Decrypts a packet the client encrypted with `authKey`. */
export async function decryptFromClient(authKey: AuthKey, packet: Buffer): Promise<ClientEnvelope> {
  const key = authKey.getKey();
  if (!key) throw new Error('fake Telegram: auth key without bytes');
  const msgKey = packet.subarray(8, 24);
  const { key: aesKey, iv } = await calcKey(key, msgKey, true);
  const plain: Buffer = new IGE(aesKey, iv).decryptIge(packet.subarray(24));
  const expected = (await sha256(Buffer.concat([key.subarray(88, 88 + 32), plain]))).subarray(8, 24);
  if (!expected.equals(msgKey)) throw new Error('fake Telegram: msg_key of a client message does not match');
  const reader = new BinaryReader(plain);
  const salt = reader.readLong();
  const sessionId = reader.readLong();
  const msgId = reader.readLong();
  const seqNo = reader.readInt();
  const length = reader.readInt();
  return { salt, sessionId, msgId, seqNo, body: plain.subarray(32, 32 + length) };
}

/** Encrypts one server message for the client session `sessionId`: the packet in pieces (auth key id, msg_key, ciphertext). */
export async function encryptForClient(
  authKey: AuthKey,
  envelope: { salt: bigInt.BigInteger; sessionId: bigInt.BigInteger; msgId: bigInt.BigInteger; seqNo: number; body: Buffer | BodyWriter },
): Promise<Buffer[]> {
  const key = authKey.getKey();
  if (!key || authKey.keyId === undefined) throw new Error('fake Telegram: auth key without bytes');
  const body = asBodyWriter(envelope.body);
  // Header, body and padding written into one buffer (no intermediate copies of a 1 MiB body).
  const dataLength = 32 + body.length;
  const padLength = ((-(dataLength + 12) % 16) + 16) % 16 + 12;
  const padded = Buffer.allocUnsafe(dataLength + padLength);
  toSignedLittleBuffer(envelope.salt, 8).copy(padded, 0);
  toSignedLittleBuffer(envelope.sessionId, 8).copy(padded, 8);
  toSignedLittleBuffer(envelope.msgId, 8).copy(padded, 16);
  padded.writeInt32LE(envelope.seqNo, 24);
  padded.writeInt32LE(body.length, 28);
  body.writeInto(padded, 32);
  generateRandomBytes(padLength).copy(padded, dataLength);
  const msgKey = createHash('sha256').update(key.subarray(88 + 8, 88 + 8 + 32)).update(padded).digest().subarray(8, 24);
  const { key: aesKey, iv } = await calcKey(key, msgKey, false);
  return [readBufferFromBigInt(authKey.keyId, 8), msgKey, new IGE(aesKey, iv).encryptIge(padded)];
}

/** A plain (unencrypted) message, as used by the auth-key exchange. */
export function plainMessage(msgId: bigInt.BigInteger, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32LE(body.length, 0);
  return Buffer.concat([Buffer.alloc(8), toSignedLittleBuffer(msgId, 8), length, body]);
}

export function readPlainMessage(packet: Buffer): Buffer {
  const length = packet.readInt32LE(16);
  return packet.subarray(20, 20 + length);
}

/** The transport error Telegram sends for an unknown auth key (GramJS: InvalidBufferError 404). */
export function transportError(code: number): Buffer {
  const body = Buffer.alloc(4);
  body.writeInt32LE(-code, 0);
  return body;
}

const RPC_RESULT = 0xf35c6d01;
const VECTOR = 0x1cb5c415;
const BOOL_TRUE = 0x997275b5;
const BOOL_FALSE = 0xbc799737;

/** TL bytes of a method's result: an object, a vector of objects, or a Bool. */
export function resultBytes(result: unknown): Buffer {
  if (result === true || result === false) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(result ? BOOL_TRUE : BOOL_FALSE, 0);
    return b;
  }
  if (Array.isArray(result)) {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(VECTOR, 0);
    head.writeInt32LE(result.length, 4);
    return Buffer.concat([head, ...result.map((r) => resultBytes(r))]);
  }
  if (result && typeof (result as { getBytes?: unknown }).getBytes === 'function') {
    return (result as { getBytes(): Buffer }).getBytes();
  }
  throw new Error(`fake Telegram: cannot serialise a result of type ${typeof result}`);
}

export function rpcResultBody(reqMsgId: bigInt.BigInteger, result: Buffer): BodyWriter {
  return {
    length: 12 + result.length,
    writeInto(out, at) {
      out.writeUInt32LE(RPC_RESULT, at);
      toSignedLittleBuffer(reqMsgId, 8).copy(out, at + 4);
      result.copy(out, at + 12);
    },
  };
}

/** A file part the server builds in place: `fill` writes its `length` bytes where they go. */
export interface FilePartBody {
  mtime: number;
  length: number;
  fill(out: Buffer, at: number): void;
}

/**
 * rpc_result carrying upload.File{type: storage.FileUnknown, mtime, bytes}, serialised as GramJS's
 * getBytes does (TL bytes: a 1- or 4-byte length, the bytes, zero padding to 4), with the part's
 * bytes written in place rather than built, serialised and copied three times.
 */
export function rpcResultFileBody(reqMsgId: bigInt.BigInteger, part: FilePartBody): BodyWriter {
  const short = part.length < 254;
  const lengthHead = short ? 1 : 4;
  const padding = (4 - ((part.length + lengthHead) % 4)) % 4;
  const head = 12 + 12; // rpc_result + req_msg_id, upload.File + storage.FileUnknown + mtime
  return {
    length: head + lengthHead + part.length + padding,
    writeInto(out, at) {
      out.writeUInt32LE(RPC_RESULT, at);
      toSignedLittleBuffer(reqMsgId, 8).copy(out, at + 4);
      out.writeUInt32LE(Api.upload.File.CONSTRUCTOR_ID, at + 12);
      out.writeUInt32LE(Api.storage.FileUnknown.CONSTRUCTOR_ID, at + 16);
      out.writeInt32LE(part.mtime, at + 20);
      let p = at + head;
      if (short) {
        out[p++] = part.length;
      } else {
        out[p++] = 254;
        out.writeUIntLE(part.length, p, 3);
        p += 3;
      }
      part.fill(out, p);
      out.fill(0, p + part.length, p + part.length + padding);
    },
  };
}

export function rpcErrorBytes(code: number, message: string): Buffer {
  return new Api.RpcError({ errorCode: code, errorMessage: message }).getBytes();
}
