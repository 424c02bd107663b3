/**
 * Runs the reference tools (flac, sox) as child processes: the audio work happens outside our
 * process, so the event loop never waits on it. Every run has a time limit (then SIGKILL), keeps at
 * most 16 KB of stderr for the error message, and can be piped into the next tool.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export class ToolError extends Error {
  override readonly name = 'ToolError';
}

export interface ToolRun {
  child: ChildProcess;
  done: Promise<void>;
}

const STDERR_KEEP = 16 * 1024;

/**
 * Children still running, killed if Crate exits first: a conversion left behind would go on writing
 * a temporary file nobody will pick up. Registered on the first run, not at import.
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  running.add(child);
  child.once('close', () => running.delete(child));
  child.once('error', () => running.delete(child));
}

export function startTool(command: string, args: string[], o: { timeoutMs: number; stdin?: 'pipe' | 'ignore'; stdout?: 'pipe' | 'ignore' }): ToolRun {
  const child = spawn(command, args, { stdio: [o.stdin ?? 'ignore', o.stdout ?? 'ignore', 'pipe'] });
  track(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < STDERR_KEEP) stderr += d.toString('utf8').slice(0, STDERR_KEEP - stderr.length);
  });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ToolError(`${command} took longer than ${Math.round(o.timeoutMs / 1000)} s and was stopped`));
    }, o.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new ToolError(missing ? `${command} is not installed` : `${command} could not start: ${err.message}`, { cause: err }));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new ToolError(`${command} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`));
    });
  });
  done.catch(() => {});
  return { child, done };
}

/** `command --version` within a few seconds: the first line, or null when it is not there. */
export async function toolVersion(command: string, timeoutMs = 5000): Promise<string | null> {
  const run = startTool(command, ['--version'], { timeoutMs, stdout: 'pipe' });
  let out = '';
  run.child.stdout?.on('data', (d: Buffer) => {
    if (out.length < 1024) out += d.toString('utf8');
  });
  try {
    await run.done;
    return out.split('\n')[0]!.trim() || command;
  } catch {
    return null;
  }
}
