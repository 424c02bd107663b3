import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, SECRETS, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

const sentText = (h: Harness, fragment: string) =>
  h.server.waitFor(() => h.server.sentMessages((p) => String(p.text).includes(fragment)).at(-1));

describe('/login conversation', () => {
  it('phone, a code typed with separators, then the 2FA password; the secret messages are deleted', async () => {
    const { server, login } = h;
    server.pushMessage(OWNER, '/login');
    await sentText(h, 'Send the phone number');

    const phoneMessage = server.pushMessage(OWNER, '+44 123 456 7890');
    const codePrompt = await sentText(h, 'WITH SEPARATORS');
    expect(codePrompt.text).toContain('Telegram cancels a login code the moment it sees it in any Telegram message');

    // A 429 inside the conversation is retried by auto-retry (conversations build their own Api).
    server.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } });
    const codeMessage = server.pushMessage(OWNER, SECRETS.code.split('').join('-'));
    const passwordPrompt = await sentText(h, 'two-step verification');
    expect(passwordPrompt.text).toContain('(hint: usual)');

    const passwordMessage = server.pushMessage(OWNER, SECRETS.password);
    await sentText(h, '✅ Logged in as @owner');

    expect(login.calls).toEqual([
      { step: 'phone', value: SECRETS.phone },
      { step: 'code', value: SECRETS.code.split('').join('-') },
      { step: 'password', value: SECRETS.password },
    ]);
    const deleted = server.callsOf('deleteMessage').map((c) => c.payload.message_id);
    expect(deleted).toEqual(expect.arrayContaining([phoneMessage, codeMessage, passwordMessage]));
    expect(server.callsOf('sendMessage').filter((c) => c.response?.ok === false)).toHaveLength(1);
  }, 15_000);

  it('a wrong code is said so and can be typed again; /cancel ends the login', async () => {
    const { server } = h;
    server.pushMessage(OWNER, '/login');
    await sentText(h, 'Send the phone number');
    server.pushMessage(OWNER, SECRETS.phone);
    await sentText(h, 'WITH SEPARATORS');
    server.pushMessage(OWNER, '1 1 1 1 1');
    await sentText(h, 'That code is wrong');
    server.pushMessage(OWNER, '12'); // not a code at all
    await sentText(h, 'That is not a login code');
    // Inside the login every text is the answer (only /cancel leaves): a command is not a code.
    const notACode = server.pushMessage(OWNER, '/status');
    await server.waitFor(() => server.sentMessages((p) => String(p.text).includes('That is not a login code')).length === 2);
    expect(server.sentMessages((p) => String(p.text).startsWith('Crate status'))).toHaveLength(0);
    expect(server.callsOf('deleteMessage').map((c) => c.payload.message_id)).toContain(notACode);
    server.pushMessage(OWNER, '24680'); // a bare code: refused, Telegram would have cancelled it
    await sentText(h, 'Type the code with separators');
    server.pushMessage(OWNER, '/cancel');
    await sentText(h, 'Login cancelled.');
    expect(h.login.cancelled).toBe(1);
  });

  it('a 2FA password that starts with "/" is the password: submitted and deleted, not taken as a command', async () => {
    const { server, login } = h;
    const slashPassword = '/start-me-up 99';
    login.expected.password = slashPassword;
    server.pushMessage(OWNER, '/login');
    await sentText(h, 'Send the phone number');
    server.pushMessage(OWNER, SECRETS.phone);
    await sentText(h, 'WITH SEPARATORS');
    server.pushMessage(OWNER, SECRETS.code.split('').join(' '));
    const before = server.sentMessages((p) => String(p.text).includes('two-step verification')).length;
    await server.waitFor(() => server.sentMessages((p) => String(p.text).includes('two-step verification')).length > before);
    const welcomes = server.sentMessages((p) => String(p.text).startsWith('Crate turns Spotify playlists')).length;
    const passwordMessage = server.pushMessage(OWNER, slashPassword);
    await server.waitFor(() => server.sentMessages((p) => String(p.text).startsWith('✅ Logged in')).length === 2);
    expect(login.calls.at(-1)).toEqual({ step: 'password', value: slashPassword });
    expect(server.callsOf('deleteMessage').map((c) => c.payload.message_id)).toContain(passwordMessage);
    // /start did not answer it: the welcome text was not sent again.
    expect(server.sentMessages((p) => String(p.text).startsWith('Crate turns Spotify playlists'))).toHaveLength(welcomes);
    expect(h.logs.join('')).not.toContain('start-me-up');
  });

  it('/spotify: the pasted redirect URL completes the login and is deleted', async () => {
    const { server, spotify } = h;
    server.pushMessage(OWNER, '/spotify');
    const prompt = await sentText(h, 'Open the link below');
    const button = (prompt.payload.reply_markup.inline_keyboard as { url: string }[][])[0]![0]!;
    expect(button.url).toContain('/authorize?');
    const pasted = server.pushMessage(OWNER, `http://127.0.0.1:8888/callback?code=${SECRETS.refreshToken}x&state=s1`);
    await sentText(h, 'Spotify is connected');
    expect(spotify.completed).toHaveLength(1);
    expect(server.callsOf('deleteMessage').map((c) => c.payload.message_id)).toContain(pasted);
  });

  it('no secret reaches the log at any level (trace included)', () => {
    const text = h.logs.join('');
    expect(h.logs.length).toBeGreaterThan(10);
    expect(text).toContain('"level":20'); // debug lines (per update) were written at the trace setting
    for (const secret of [h.server.token, SECRETS.apiHash, SECRETS.phone, SECRETS.refreshToken, SECRETS.clientSecret, SECRETS.password]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain(SECRETS.code.split('').join('-'));
    expect(text).not.toContain('+44 123 456 7890');
  });
});
