/**
 * Issue 7, item 4: the owner's account is safe. `crate serve` runs for real (src/main.ts wiring,
 * the fake Bot API server, the fake Spotify server, the simulated @LosslessRobot behind GramJS) at
 * LOG_LEVEL=trace with every secret configured. Shared by test/chaos/security.test.ts and
 * test/chaos/security.ts. Also the control bot's answers to hostile input (used by input.ts).
 */
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeCallback } from '../../../src/bot/callback-data.js';
import { openJobStore } from '../../../src/db/job-store.js';
import { databasePath } from '../../../src/db/open.js';
import { silentLogger } from '../../../src/logger.js';
import { SpotifyTokenStore } from '../../../src/spotify/token-store.js';
import { loadSession, saveSession, sessionFilePath } from '../../../src/telegram/session-file.js';
import {
  LOGIN,
  OWNER,
  STRANGER,
  gatewayFromSessionFile,
  loggedInGateway,
  loginAccount,
  sentWith,
  serve,
  startStack,
} from '../../e2e/serve-stack.js';
import { check } from './checks.js';
import type { ChaosCase } from './faults.js';

const mode = (p: string) => statSync(p).mode & 0o777;

const stranger: ChaosCase = {
  name: 'a stranger cannot make the bot do or say anything',
  run: async () => {
    const stack = await startStack({ tracks: 3 });
    try {
      const { server, bot } = stack;
      const running = await serve(stack, { createGateway: loggedInGateway(stack) });
      // The owner has a job waiting (so a stranger's buttons have something to aim at).
      server.pushMessage(OWNER, stack.playlistUrl);
      const preview = await sentWith(server, 'is ready');
      const jobId = Number(/Job #(\d+)/.exec(preview.text)![1]);
      const before = server.calls.length;
      const attempts: (() => number)[] = [
        () => server.pushMessage(STRANGER, '/start'),
        () => server.pushMessage(STRANGER, '/help'),
        () => server.pushMessage(STRANGER, '/status'),
        () => server.pushMessage(STRANGER, '/jobs'),
        () => server.pushMessage(STRANGER, `/resume ${jobId}`),
        () => server.pushMessage(STRANGER, `/cancel ${jobId}`),
        () => server.pushMessage(STRANGER, '/login'),
        () => server.pushMessage(STRANGER, '/spotify'),
        () => server.pushMessage(STRANGER, '/settings'),
        () => server.pushMessage(STRANGER, '/missing'),
        () => server.pushMessage(STRANGER, stack.playlistUrl),
        () => server.pushMessage(STRANGER, '1-2-3-4-5'),
        () => server.pushMessage(STRANGER, 'hello?'),
        () => server.pushCallbackQuery(STRANGER, preview.messageId, encodeCallback('start', jobId), OWNER.id),
        () => server.pushCallbackQuery(STRANGER, preview.messageId, encodeCallback('cancel', jobId)),
        () => server.pushCallbackQuery(STRANGER, preview.messageId, 'garbage|data'),
        () => server.pushInlineQuery(STRANGER, 'daft punk'),
        () => server.pushInlineQuery(STRANGER, stack.playlistUrl),
        () => server.pushMessage(STRANGER, stack.playlistUrl, { chat: { id: -100777, type: 'supergroup', title: 'Party' } }),
        () => server.pushMessage(OWNER, '/status', { chat: { id: -100777, type: 'supergroup', title: 'Party' } }),
        () => server.pushMessage(OWNER, `/resume ${jobId}`, { chat: { id: -100778, type: 'channel', title: 'News' } }),
      ];
      for (const a of attempts) a();
      await server.waitUntilIdle();
      await new Promise((r) => setTimeout(r, 300));
      const triggered = server.calls.slice(before).filter((c) => c.method !== 'getUpdates');
      check(triggered.length === 0, `the bot answered strangers: ${triggered.map((c) => c.method).join(', ')}`);
      check(bot.actions().length === 0, `${bot.actions().length} actions reached @LosslessRobot`);
      running.controller.abort();
      check((await running.exit) === 0, 'serve did not exit cleanly');
      const db = openJobStore(databasePath(stack.dataDir));
      try {
        const jobs = db.store.listJobs();
        check(jobs.length === 1 && jobs[0]!.status === 'pending', `jobs after the attack: ${jobs.map((j) => `#${j.id} ${j.status}`).join(', ')}`);
      } finally {
        db.close();
      }
      return { detail: `${attempts.length} stranger updates (messages, commands, buttons, inline queries, groups): 0 Bot API calls, 0 messages to @LosslessRobot, the owner's job untouched` };
    } finally {
      await stack.close();
    }
  },
};

const fileModes: ChaosCase = {
  name: 'session file and Spotify token store: 0600 in 0700, looser modes repaired',
  run: async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'crate-chaos-modes-'));
    try {
      const file = await saveSession(dir, '1BVtsOKABu0secret-session-string');
      check(mode(file) === 0o600 && mode(path.dirname(file)) === 0o700, `session saved as ${mode(file).toString(8)} in ${mode(path.dirname(file)).toString(8)}`);
      chmodSync(file, 0o644);
      chmodSync(path.dirname(file), 0o755);
      check((await loadSession(dir, silentLogger())) === '1BVtsOKABu0secret-session-string', 'session not read back');
      check(mode(sessionFilePath(dir)) === 0o600 && mode(path.dirname(file)) === 0o700, 'loose session modes were not repaired');

      const store = new SpotifyTokenStore(dir);
      store.write({ refreshToken: 'AQDsecretRefresh', clientId: 'cid', scope: '', savedAt: 1, user: null });
      check(mode(store.file) === 0o600 && mode(store.dir) === 0o700, `token saved as ${mode(store.file).toString(8)} in ${mode(store.dir).toString(8)}`);
      chmodSync(store.file, 0o664);
      chmodSync(store.dir, 0o775);
      check(store.read()?.refreshToken === 'AQDsecretRefresh', 'token not read back');
      check(mode(store.file) === 0o600 && mode(store.dir) === 0o700, `loose token modes were not repaired (${mode(store.file).toString(8)}/${mode(store.dir).toString(8)})`);
      return { detail: 'both written 0600 in 0700; 0644/0755 and 0664/0775 tightened back on the next read' };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

interface LoginScenario {
  output: string;
  secrets: Record<string, string>;
  bareCodeReply: string;
  signInsAfterBareCode: number;
  signInCode: string | null;
  deletedSecretMessages: boolean;
  sessionModes: string;
  linkReplies: string[];
}

/** One whole `crate serve` at trace: hostile links, a job, /login with a bare then a separated code and 2FA. */
let scenario: Promise<LoginScenario> | null = null;
export function loginScenario(): Promise<LoginScenario> {
  scenario ??= (async () => {
    const stack = await startStack({ tracks: 3 });
    try {
      const { server } = stack;
      stack.env.TELEGRAM_PHONE_NUMBER = LOGIN.phone;
      stack.env.LOG_LEVEL = 'trace';
      const account = await loginAccount(stack);
      const running = await serve(stack, {
        createGateway: gatewayFromSessionFile(stack),
        createLoginClient: () => account.createLoginClient(),
      });
      // Hostile links to the bot: each gets a plain reply.
      const bad = ['https://open.spotify.com/playlist/abc!!', 'https://open.spotify.com/artist/4tZwfgrHOc3mvqYlEYSvVi', `https://open.spotify.com/playlist/${'Z'.repeat(5000)}`];
      for (const b of bad) server.pushMessage(OWNER, b);
      await server.waitFor(() => server.sentMessages((p) => String(p.text).startsWith('Could not use')).length >= bad.length, 10_000);
      const linkReplies = server.sentMessages((p) => String(p.text).startsWith('Could not use')).map((m) => m.text);

      server.pushMessage(OWNER, stack.playlistUrl);
      const preview = await sentWith(server, 'is ready');
      const jobId = Number(/Job #(\d+)/.exec(preview.text)![1]);
      server.pushCallbackQuery(OWNER, preview.messageId, encodeCallback('start', jobId));
      await sentWith(server, 'not logged in to Telegram yet', 10_000);

      server.pushMessage(OWNER, '/login');
      await sentWith(server, 'Send the phone number');
      const secretMessages = [server.pushMessage(OWNER, LOGIN.phone)];
      await sentWith(server, 'WITH SEPARATORS');
      secretMessages.push(server.pushMessage(OWNER, LOGIN.code));
      const bareReply = await sentWith(server, 'separators between the digits');
      const signInsAfterBareCode = account.requests.filter((r) => r.className === 'auth.SignIn').length;
      secretMessages.push(server.pushMessage(OWNER, LOGIN.code.split('').join('-')));
      await sentWith(server, 'two-step verification');
      secretMessages.push(server.pushMessage(OWNER, LOGIN.password));
      const loggedIn = await sentWith(server, '✅ Logged in', 10_000);
      // The job waited as ready: Start (offered with the login) runs it now.
      server.pushCallbackQuery(OWNER, loggedIn.messageId, encodeCallback('start', jobId));
      await sentWith(server, '✅ Finished', 20_000);
      const deleted = new Set(server.callsOf('deleteMessage').map((c) => Number(c.payload.message_id)));
      running.controller.abort();
      await running.exit;
      const session = account.savedSession() ?? '';
      const sessionFile = sessionFilePath(stack.dataDir);
      return {
        output: running.stdout.text() + running.stderr.text(),
        secrets: {
          'bot token': stack.env.TELEGRAM_BOT_TOKEN!,
          'api hash': stack.env.TELEGRAM_API_HASH!,
          'Spotify client secret': stack.env.SPOTIFY_CLIENT_SECRET!,
          'Spotify refresh token': stack.env.SPOTIFY_REFRESH_TOKEN!,
          'session string': session,
          phone: LOGIN.phone,
          'phone (normalised)': '+447700900123',
          'phone (digits)': '447700900123',
          'login code': LOGIN.code,
          'login code (typed)': LOGIN.code.split('').join('-'),
          '2FA password': LOGIN.password,
        },
        bareCodeReply: bareReply.text,
        signInsAfterBareCode,
        signInCode: account.requests.some((r) => r.className === 'auth.SignIn') ? LOGIN.code : null,
        deletedSecretMessages: secretMessages.every((id) => deleted.has(id)),
        sessionModes: `${mode(sessionFile).toString(8)} in ${mode(path.dirname(sessionFile)).toString(8)}`,
        linkReplies,
      };
    } finally {
      await stack.close();
    }
  })();
  return scenario;
}

const noSecretsInLogs: ChaosCase = {
  name: 'no secret in any output at LOG_LEVEL=trace (a whole serve scenario)',
  run: async () => {
    const s = await loginScenario();
    check(s.output.includes('"level":10') || s.output.includes('"level":20'), 'the scenario did not log at trace/debug level: the check would prove nothing');
    for (const [what, value] of Object.entries(s.secrets)) {
      check(value.length >= 5, `secret ${what} is empty`);
      check(!s.output.includes(value), `the ${what} appears in the output`);
    }
    check(s.sessionModes === '600 in 700', `the session the bot's /login saved is ${s.sessionModes}`);
    return { detail: `${Object.keys(s.secrets).length} secrets, ${(s.output.length / 1024).toFixed(0)} KB of stdout+stderr at trace: none found; the /login session saved ${s.sessionModes}` };
  },
};

const loginCodes: ChaosCase = {
  name: 'login codes never handled as plain digits in chat',
  run: async () => {
    const s = await loginScenario();
    check(s.signInsAfterBareCode === 0, 'a bare code typed in the chat was sent to Telegram');
    check(/separators/.test(s.bareCodeReply), `reply to a bare code: ${s.bareCodeReply}`);
    check(s.signInCode !== null, 'the separated code never reached auth.SignIn');
    check(s.deletedSecretMessages, 'a message with the phone, code or password was not deleted');
    return { detail: `bare code refused before Telegram saw it ("${s.bareCodeReply.split('\n')[0]}"); separated code signed in; phone/code/password messages deleted` };
  },
};

export const SECURITY_CASES: ChaosCase[] = [stranger, fileModes, noSecretsInLogs, loginCodes];

/** For input.ts: hostile links sent to the control bot get plain replies. */
export const botLinks: ChaosCase = {
  name: 'hostile links sent to the control bot',
  run: async () => {
    const s = await loginScenario();
    check(s.linkReplies.length >= 3, `${s.linkReplies.length} replies to 3 bad links`);
    for (const r of s.linkReplies) check(!/\n\s+at |Something went wrong/.test(r), `reply with a stack or a vague error: ${r.slice(0, 200)}`);
    return { detail: `3 bad links, 3 plain replies, e.g. "${s.linkReplies[0]!.replace(/\n/g, ' ').slice(0, 150)}"` };
  },
};
