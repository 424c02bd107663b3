/**
 * `crate serve` stays responsive and says how it is (issue 10 item 2, issue 16 item 4): with a
 * Telegram user side whose every call hangs forever, /status and /jobs still answer within 5 s on
 * the fake Bot API server and say Telegram is unreachable; GET /healthz answers 503 then, and 200
 * with a working session; `crate health` turns that into exit 0 / 1; Ctrl-C still stops serve.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { HangingGateway } from '../fakes/hanging-gateway.js';
import { OWNER, loggedInGateway, sentWith, serve, sink, startStack, type Stack } from './serve-stack.js';
import { freePort } from '../fakes/free-port.js';

async function health(stack: Stack): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const code = await runCli(['node', 'crate', 'health'], { env: stack.env, cwd: stack.root, stdout: out.stream, stderr: err.stream, shutdownSignal: new AbortController().signal });
  return { code, out: out.text(), err: err.text() };
}

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

describe('crate serve stays responsive and reports its health', () => {
  it('answers /status and /jobs within 5 s while every Telegram call hangs, and says Telegram is unreachable', async () => {
    stack = await startStack();
    const port = await freePort();
    stack.env.HEALTH_PORT = String(port);
    const gateway = new HangingGateway();
    const running = await serve(stack, { createGateway: async () => gateway });
    const { server } = stack;

    const asked = Date.now();
    server.pushMessage(OWNER, '/status');
    const status = await sentWith(server, 'Crate status', 5000);
    expect(Date.now() - asked).toBeLessThan(5000);
    expect(status.text).toMatch(/Telegram session: offline \(Telegram unreachable: no answer within 2\.5 s\)/);
    expect(gateway.calls).toContain('connect'); // it was asked, and never answered

    const askedJobs = Date.now();
    server.pushMessage(OWNER, '/jobs');
    await sentWith(server, 'No jobs yet', 5000);
    expect(Date.now() - askedJobs).toBeLessThan(5000);

    // The health check: the bot polls, the user session does not work: 503, and `crate health` exits 1.
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { ok: boolean; bot: { polling: boolean }; userSession: { state: string } };
    expect(body).toMatchObject({ ok: false, bot: { polling: true } });
    expect(['starting', 'offline']).toContain(body.userSession.state);
    const h = await health(stack);
    expect(h.code).toBe(1);
    expect(h.out).toMatch(/^unhealthy: control bot polling, Telegram (session starting|offline)/);

    // Ctrl-C still stops it, though the session start and disconnect never return.
    const before = Date.now();
    running.controller.abort(new Error('SIGINT'));
    expect(await running.exit).toBe(0);
    expect(Date.now() - before).toBeLessThan(15_000);
  }, 60_000);

  it('GET /healthz is 200 with a working session; `crate health` exits 0, and 1 once serve is gone', async () => {
    stack = await startStack();
    const port = await freePort();
    stack.env.HEALTH_PORT = String(port);
    const running = await serve(stack, { createGateway: loggedInGateway(stack) });

    let body: Record<string, any> = {};
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      body = (await res.json()) as Record<string, any>;
      if (res.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toMatchObject({ ok: true, bot: { polling: true }, userSession: { state: 'online' }, jobs: { running: 0 }, lastError: null });
    expect(typeof body.userSession.since).toBe('string');
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);

    const h = await health(stack);
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^healthy: control bot polling, Telegram online/);

    running.controller.abort(new Error('SIGTERM'));
    expect(await running.exit).toBe(0);
    const after = await health(stack);
    expect(after.code).toBe(1);
    expect(after.err).toMatch(/cannot reach crate serve's health endpoint at http:\/\/127\.0\.0\.1:\d+\/healthz \(ECONNREFUSED\)/);
  }, 60_000);

  it('`crate health` without HEALTH_PORT says so (exit 2)', async () => {
    stack = await startStack();
    const h = await health(stack);
    expect(h.code).toBe(2);
    expect(h.err).toContain('HEALTH_PORT is not set');
  });
});
