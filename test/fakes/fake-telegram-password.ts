/**
 * The server side of Telegram's 2FA check (SRP-2048, https://core.telegram.org/api/srp), written
 * from the spec with node:crypto and native BigInt, so a login test proves that the client's
 * InputCheckPasswordSRP really encodes the password: a wrong password fails the M1 check as on
 * Telegram, and each srp_id is accepted once.
 */
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import bigInt from 'big-integer';
import { Api } from 'telegram';

// Telegram's 2048-bit safe prime (the one GramJS accepts), generator 3.
const P_HEX =
  'c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f48198a0aa7c14058229493d22530f4db' +
  'fa336f6e0ac925139543aed44cce7c3720fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64' +
  '2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4a4a695811051907e162753b56b0f6b41' +
  '0dba74d8a84b2a14b3144e0ef1284754fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4' +
  'e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f0d8115f635b105ee2e4e15d04b2454bf' +
  '6f4fadf034b10403119cd8e3b92fcc5b';
const G = 3;

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const toBig = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
const toBuf = (n: bigint) => Buffer.from(n.toString(16).padStart(512, '0'), 'hex');

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

export class FakeTelegramPassword {
  private readonly p = toBig(Buffer.from(P_HEX, 'hex'));
  private readonly salt1 = randomBytes(40);
  private readonly salt2 = randomBytes(16);
  private readonly v: bigint;
  private readonly pending = new Map<string, { b: bigint; B: bigint }>();
  checks = 0;

  constructor(
    password: string,
    readonly hint: string | null,
  ) {
    const ph1 = sha256(this.salt1, Buffer.from(password, 'utf8'), this.salt1);
    const ph2 = sha256(this.salt2, ph1, this.salt2);
    const x = toBig(sha256(this.salt2, pbkdf2Sync(ph2, this.salt1, 100_000, 64, 'sha512'), this.salt2));
    this.v = modPow(BigInt(G), x, this.p);
  }

  /** account.GetPassword: fresh server parameters (srp_B, srp_id) for one attempt. */
  getPassword(): Api.account.Password {
    const k = toBig(sha256(toBuf(this.p), toBuf(BigInt(G))));
    const b = toBig(randomBytes(256));
    const B = (k * this.v + modPow(BigInt(G), b, this.p)) % this.p;
    const srpId = BigInt(`0x${randomBytes(7).toString('hex')}`).toString();
    this.pending.set(srpId, { b, B });
    return new Api.account.Password({
      hasPassword: true,
      currentAlgo: new Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow({
        salt1: this.salt1,
        salt2: this.salt2,
        g: G,
        p: toBuf(this.p),
      }),
      srp_B: toBuf(B),
      srpId: bigInt(srpId),
      ...(this.hint !== null ? { hint: this.hint } : {}),
      newAlgo: new Api.PasswordKdfAlgoUnknown(),
      newSecureAlgo: new Api.SecurePasswordKdfAlgoUnknown(),
      secureRandom: randomBytes(32),
    });
  }

  /** auth.CheckPassword: true when M1 proves knowledge of the password. */
  check(input: Api.TypeInputCheckPasswordSRP): boolean {
    this.checks++;
    if (!(input instanceof Api.InputCheckPasswordSRP)) return false;
    const key = input.srpId.toString();
    const pending = this.pending.get(key);
    this.pending.delete(key);
    if (!pending) return false;
    const A = toBig(Buffer.from(input.A));
    if (A <= 0n || A >= this.p) return false;
    const u = toBig(sha256(toBuf(A), toBuf(pending.B)));
    const S = modPow((A * modPow(this.v, u, this.p)) % this.p, pending.b, this.p);
    const K = sha256(toBuf(S));
    const hp = sha256(toBuf(this.p));
    const hg = sha256(toBuf(BigInt(G)));
    const xor = Buffer.from(hp.map((byte, i) => byte ^ hg[i]!));
    const m1 = sha256(xor, sha256(this.salt1), sha256(this.salt2), toBuf(A), toBuf(pending.B), K);
    return m1.equals(Buffer.from(input.M1));
  }
}
