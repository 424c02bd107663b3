/**
 * Verifies one file as the library does: the structural check in a worker (bounded, time and memory
 * limited), then — when asked and a decoder is installed — the deep check (decode, compare MD5).
 * `crate verify` and the library call this same code.
 */
import type { DeepChecker } from './deep-check.js';
import type { Inspection, VerifyReport } from './report.js';
import type { VerifyWorkerPool } from './worker-pool.js';

export interface FileVerifierDeps {
  pool: Pick<VerifyWorkerPool, 'inspect'>;
  /** null: no deep check at all (turned off). */
  deep: DeepChecker | null;
  now?: () => number;
}

export interface VerifyFileOptions {
  /** true: decode (report `unavailable` without a decoder); 'auto': decode when a decoder is installed; false: never. */
  deep?: boolean | 'auto';
  signal?: AbortSignal;
}

export class FileVerifier {
  private readonly now: () => number;

  constructor(private readonly d: FileVerifierDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Is the deep check possible here? (for `crate doctor` and `crate verify --deep`) */
  async deepAvailable(): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
    return this.d.deep ? this.d.deep.available() : { ok: false, reason: 'the deep check is turned off' };
  }

  async verify(file: string, options: VerifyFileOptions = {}): Promise<VerifyReport> {
    const started = this.now();
    const inspection: Inspection = await this.d.pool.inspect(file, options.signal);
    const done = (r: Omit<VerifyReport, 'file' | 'elapsedMs'>): VerifyReport => ({ file, ...r, elapsedMs: this.now() - started });
    if (!inspection.ok) return done({ verdict: 'rejected', kind: inspection.kind, reason: inspection.reason, facts: null, deep: 'not_run' });
    const facts = inspection.facts;
    const wanted = options.deep ?? 'auto';
    if (wanted === false) return done({ verdict: 'ok', kind: null, reason: null, facts, deep: 'not_run' });
    const available = await this.deepAvailable();
    if (!available.ok || !this.d.deep) {
      return done({ verdict: 'ok', kind: null, reason: null, facts, deep: wanted === true ? 'unavailable' : 'not_run' });
    }
    const deep = await this.d.deep.check(file, { md5Known: facts.md5 !== null, ...(options.signal ? { signal: options.signal } : {}) });
    if (!deep.ok) return done({ verdict: 'rejected', kind: deep.kind, reason: deep.reason, facts, deep: 'failed' });
    return done({ verdict: 'ok', kind: null, reason: null, facts, deep: deep.md5Checked ? 'md5_match' : 'decoded_no_md5' });
  }
}
