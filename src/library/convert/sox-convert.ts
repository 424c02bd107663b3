/**
 * Decodes a FLAC with the reference decoder (`flac -d`, which also checks the MD5 of the audio) and
 * pipes it through `sox` into the target: its very-high-quality resampler (`rate -v`) when the rate
 * must come down, and dither when the depth must (sox's default TPDF dither, applied last).
 */
import { startTool } from './run-tool.js';
import type { ConversionPlan } from './conversion-plan.js';

const SOX_TYPES = { flac: 'flac', aiff: 'aiff', wav: 'wav' } as const;

export function soxArgs(dest: string, plan: ConversionPlan): string[] {
  const args = ['-V1', '-t', 'wav', '-', '-t', SOX_TYPES[plan.format]];
  if (plan.bitDepth !== null) args.push('-b', String(plan.bitDepth));
  args.push(dest);
  if (plan.sampleRate !== null) args.push('rate', '-v', String(plan.sampleRate));
  if (plan.bitDepth !== null) args.push('dither');
  return args;
}

export async function convertWithSox(src: string, dest: string, plan: ConversionPlan, o: { timeoutMs: number; flac?: string; sox?: string }): Promise<void> {
  const decode = startTool(o.flac ?? 'flac', ['-d', '-s', '-c', '--', src], { timeoutMs: o.timeoutMs, stdout: 'pipe' });
  const encode = startTool(o.sox ?? 'sox', soxArgs(dest, plan), { timeoutMs: o.timeoutMs, stdin: 'pipe' });
  decode.child.stdout!.pipe(encode.child.stdin!);
  // If sox dies first, flac gets EPIPE: the sox error is the one that explains. Either failing stops the other.
  encode.child.stdin!.on('error', () => {});
  encode.done.catch(() => decode.child.kill('SIGKILL'));
  decode.done.catch(() => encode.child.kill('SIGKILL'));
  const [decoded, encoded] = await Promise.allSettled([decode.done, encode.done]);
  if (decoded.status === 'rejected' || encoded.status === 'rejected') {
    decode.child.kill('SIGKILL');
    encode.child.kill('SIGKILL');
    throw encoded.status === 'rejected' ? encoded.reason : (decoded as PromiseRejectedResult).reason;
  }
}
