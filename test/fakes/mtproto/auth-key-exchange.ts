/**
 * The server side of MTProto's auth-key exchange (https://core.telegram.org/mtproto/auth_key),
 * so GramJS's own Authenticator runs when a sender has no key yet: a fresh login, and every
 * exported sender to another data centre (GramJS keeps no keys for other DCs, so a FILE_MIGRATE
 * download always creates one).
 *
 * The one thing a fake server cannot have is Telegram's RSA private key. GramJS encrypts
 * p_q_inner_data with a public key it finds by fingerprint in `telegram/crypto/RSA.js`'s
 * `_serverKeys` map; we add one entry to that map (a data entry, no method is replaced): a
 * "key" with exponent 1 and a 2048-bit modulus of all ones, so the RSA step leaves the padded,
 * AES-wrapped inner data readable to this server, which then undoes RSA_PAD's AES layer as the
 * real server does. Diffie–Hellman itself is real, over RFC 3526's 2048-bit group.
 */
import { createDiffieHellman, getDiffieHellman } from 'node:crypto';
import bigInt from 'big-integer';
import { Api } from 'telegram';
import { AuthKey } from 'telegram/crypto/AuthKey.js';
import { IGE } from 'telegram/crypto/IGE.js';
import { _serverKeys } from 'telegram/crypto/RSA.js';
import { BinaryReader } from 'telegram/extensions/BinaryReader.js';
import {
  bufferXor,
  generateKeyDataFromNonce,
  generateRandomBytes,
  getByteArray,
  readBigIntFromBuffer,
  sha1,
  sha256,
} from 'telegram/Helpers.js';

const FAKE_KEY_FINGERPRINT = bigInt('7283640000000000001');
_serverKeys.set(FAKE_KEY_FINGERPRINT.toString(), { n: bigInt(2).pow(2048).minus(1), e: 1 });

const GROUP = getDiffieHellman('modp14');
const PRIME = GROUP.getPrime();
const G = 2;

interface Exchange {
  nonce: bigInt.BigInteger;
  serverNonce: bigInt.BigInteger;
  newNonce?: bigInt.BigInteger;
  dh?: ReturnType<typeof createDiffieHellman>;
  key?: Buffer;
  iv?: Buffer;
}

/** One connection's exchange; `answer` takes each plain request and returns the reply object. */
export class AuthKeyExchange {
  private state: Exchange | null = null;

  constructor(private readonly onKey: (key: AuthKey) => void) {}

  async answer(request: unknown): Promise<{ getBytes(): Buffer }> {
    if (request instanceof Api.ReqPqMulti || request instanceof Api.ReqPq) {
      const serverNonce = readBigIntFromBuffer(generateRandomBytes(16), false, true);
      this.state = { nonce: request.nonce, serverNonce };
      return new Api.ResPQ({
        nonce: request.nonce,
        serverNonce,
        // The example from Telegram's docs: 8 bytes, top bit clear (GramJS reads pq as signed).
        pq: getByteArray(bigInt('1724114033281923457')),
        serverPublicKeyFingerprints: [FAKE_KEY_FINGERPRINT],
      });
    }
    const state = this.state;
    if (!state) throw new Error('fake Telegram: auth-key exchange out of order');
    if (request instanceof Api.ReqDHParams) {
      const encrypted = Buffer.from(request.encryptedData);
      const tempKeyXor = encrypted.subarray(0, 32);
      const aesEncrypted = encrypted.subarray(32);
      const tempKey = bufferXor(tempKeyXor, await sha256(aesEncrypted));
      const dataWithHash: Buffer = new IGE(tempKey, Buffer.alloc(32)).decryptIge(aesEncrypted);
      const dataWithPadding = Buffer.from(dataWithHash.subarray(0, 192)).reverse();
      const inner = new BinaryReader(dataWithPadding).tgReadObject();
      if (!(inner instanceof Api.PQInnerData)) throw new Error('fake Telegram: p_q_inner_data expected');
      state.newNonce = inner.newNonce;
      const dh = createDiffieHellman(PRIME, G);
      dh.generateKeys();
      state.dh = dh;
      const { key, iv } = await generateKeyDataFromNonce(state.serverNonce, inner.newNonce);
      state.key = key;
      state.iv = iv;
      const answer = new Api.ServerDHInnerData({
        nonce: state.nonce,
        serverNonce: state.serverNonce,
        g: G,
        dhPrime: PRIME,
        gA: dh.getPublicKey(),
        serverTime: Math.floor(Date.now() / 1000),
      }).getBytes();
      const hashed = Buffer.concat([await sha1(answer), answer]);
      return new Api.ServerDHParamsOk({
        nonce: state.nonce,
        serverNonce: state.serverNonce,
        encryptedAnswer: new IGE(key, iv).encryptIge(hashed),
      });
    }
    if (request instanceof Api.SetClientDHParams) {
      if (!state.dh || !state.key || !state.iv || !state.newNonce) throw new Error('fake Telegram: DH params not sent');
      const plain: Buffer = new IGE(state.key, state.iv).decryptIge(Buffer.from(request.encryptedData));
      const inner = new BinaryReader(plain.subarray(20)).tgReadObject();
      if (!(inner instanceof Api.ClientDHInnerData)) throw new Error('fake Telegram: client_DH_inner_data expected');
      const secret = state.dh.computeSecret(Buffer.from(inner.gB));
      // GramJS keeps the key as the shortest big-endian bytes of g^ab (no leading zeros).
      let start = 0;
      while (start < secret.length - 1 && secret[start] === 0) start++;
      const authKey = new AuthKey();
      await authKey.setKey(secret.subarray(start));
      this.onKey(authKey);
      const newNonceHash1 = await authKey.calcNewNonceHash(state.newNonce, 1);
      this.state = null;
      return new Api.DhGenOk({ nonce: state.nonce, serverNonce: state.serverNonce, newNonceHash1 });
    }
    throw new Error(`fake Telegram: unexpected plain message ${(request as { className?: string }).className}`);
  }
}
