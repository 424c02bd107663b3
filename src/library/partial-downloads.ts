/**
 * Where a job's downloads sit until they are verified and named: `<output>/.crate-partial/job-N/`
 * (hidden, so no scan or player sees them). Shared by the library and `crate reset`, which removes
 * what a forgotten job left there.
 */
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';

export const PARTIAL_DIR = '.crate-partial';

export function partialDownloadsDir(outputDir: string, jobId: number): string {
  return path.join(path.resolve(outputDir), PARTIAL_DIR, `job-${jobId}`);
}

/** Removes the job's partial downloads, and the shared folder too once no job has anything left in it. */
export async function removePartialDownloads(outputDir: string, jobId: number): Promise<void> {
  await rm(partialDownloadsDir(outputDir, jobId), { recursive: true, force: true });
  await rmdir(path.join(path.resolve(outputDir), PARTIAL_DIR)).catch(() => {});
}
