/**
 * The `crate-match-eval/1` file: scenarios of pending requests + received files (attribution) or
 * one request + the buttons of a bot reply (menu). Runs each scenario through the product's own
 * functions. `expected` fields are read (for the benchmark) but never used to decide.
 */
import { z } from 'zod';
import { pickMenuRow } from '../lossless/picker.js';
import { attributeFiles } from './attribute.js';
import type { Assignments, IncomingFile, PendingRequest } from './types.js';

export const EVAL_FORMAT = 'crate-match-eval/1';

const optText = z.string().nullish();
const optMs = z.number().nonnegative().nullish();

const requestSchema = z.object({
  id: z.string(),
  artists: z.array(z.string()),
  title: z.string(),
  album: optText,
  durationMs: optMs,
  isrc: optText,
  pickedRow: optText,
});

const fileSchema = z.object({
  id: z.string(),
  fileName: optText,
  tags: z
    .object({ artist: optText, title: optText, album: optText, isrc: optText, durationMs: optMs })
    .nullish(),
});

const attributionSchema = z.object({
  id: z.string(),
  kind: z.literal('attribution'),
  requests: z.array(requestSchema),
  files: z.array(fileSchema),
  expected: z.record(z.string(), z.string().nullable()).optional(),
});

const menuSchema = z.object({
  id: z.string(),
  kind: z.literal('menu'),
  request: requestSchema,
  buttons: z.array(z.string()),
  preferredRowText: optText,
  expected: z.number().int().nullable().optional(),
});

export const evalFileSchema = z.object({
  format: z.literal(EVAL_FORMAT),
  scenarios: z.array(z.discriminatedUnion('kind', [attributionSchema, menuSchema])),
});

export type EvalFile = z.infer<typeof evalFileSchema>;
export type EvalScenario = EvalFile['scenarios'][number];
export type AttributionScenario = z.infer<typeof attributionSchema>;

export type EvalOutput = { id: string; assignments: Assignments } | { id: string; choice: number | null };

function toRequest(r: z.infer<typeof requestSchema>): PendingRequest {
  return { id: r.id, artists: r.artists, title: r.title, album: r.album ?? null, durationMs: r.durationMs ?? null, isrc: r.isrc ?? null, pickedRow: r.pickedRow ?? null };
}

export function toIncomingFiles(files: AttributionScenario['files']): IncomingFile[] {
  return files.map((f) => ({ id: f.id, fileName: f.fileName ?? null, ...(f.tags ?? {}) }));
}

export function toPendingRequests(s: AttributionScenario): PendingRequest[] {
  return s.requests.map(toRequest);
}

/** Runs one scenario and returns the line `crate debug match` prints for it. */
export function runScenario(s: EvalScenario): EvalOutput {
  if (s.kind === 'attribution') {
    const assigned = attributeFiles(toPendingRequests(s), toIncomingFiles(s.files));
    // Keep the files' input order in the output.
    const assignments: Assignments = {};
    for (const f of s.files) assignments[f.id] = assigned[f.id] ?? null;
    return { id: s.id, assignments };
  }
  const pick = pickMenuRow(toRequest(s.request), s.buttons, { preferredRowText: s.preferredRowText ?? null });
  return { id: s.id, choice: pick.index };
}
