/**
 * Entry of the verification worker thread (started by worker-pool.ts). It answers one request at a
 * time; the pool owns its time and memory limits and simply terminates it when they are exceeded.
 */
import { parentPort } from 'node:worker_threads';
import { inspectFlac } from './inspect.js';
import type { VerifyLimits } from './limits.js';

export interface InspectRequest {
  id: number;
  file: string;
  limits: VerifyLimits;
}

const port = parentPort;
if (!port) throw new Error('inspect-worker.ts runs only as a worker thread');
port.on('message', (req: InspectRequest) => {
  void inspectFlac(req.file, req.limits).then((result) => port.postMessage({ id: req.id, result }));
});
