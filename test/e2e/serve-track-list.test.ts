/**
 * A track list sent to the control bot as a file becomes a job like a playlist link, through the real
 * `crate serve` on the fake Bot API (getFile + the file download) with real SQLite.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER, STRANGER, loggedInGateway, serve, startStack, type Stack } from './serve-stack.js';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

const fixture = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', 'tracklists', name);

describe('a track list file sent to the control bot', () => {
  it('an Exportify CSV becomes a job named by the caption, with its problem rows said; strangers\' files are ignored', async () => {
    stack = await startStack();
    const { server } = stack;
    await serve(stack, { createGateway: loggedInGateway(stack) });
    const bytes = await readFile(fixture('exportify.csv'));

    server.pushDocument(STRANGER, { name: 'evil.csv', bytes });
    await server.waitUntilIdle();
    expect(server.callsOf('getFile')).toHaveLength(0);

    server.pushDocument(OWNER, { name: 'exportify.csv', bytes, mimeType: 'text/csv', caption: 'Digging Friday' });
    const preview = await server.waitFor(() => server.sentMessages((p) => String(p.text).includes('Digging Friday'))[0], 10_000);
    expect(preview.text).toContain('3 tracks');
    expect(preview.text).toContain('a track list file');
    expect(preview.text).toMatch(/⚠️ \d+ notes?: tap Notes/);
    const buttons = ((preview.payload.reply_markup?.inline_keyboard ?? []) as { text: string; callback_data: string }[][]).flat();
    expect(buttons.map((b) => b.text)).toContain('▶️ Start');
    // The problem rows, named by line, one tap away.
    server.pushCallbackQuery(OWNER, preview.messageId, buttons.find((b) => b.text.startsWith('ℹ️ Notes'))!.callback_data);
    const notes = await server.waitFor(() => server.sentMessages((p) => String(p.text).startsWith('ℹ️ Notes on job'))[0], 10_000);
    expect(notes.text).toMatch(/line 5: no track name and no artist/);
    // Kept under the data folder (private), so a restart can resume the job.
    const uploads = path.join(stack.dataDir, 'uploads');
    expect((await stat(uploads)).mode & 0o777).toBe(0o700);

    server.pushDocument(OWNER, { name: 'photo.jpg', bytes: Buffer.from('not a list') });
    server.pushDocument(OWNER, { name: 'empty.txt', bytes: Buffer.from('# nothing here\n') });
    const refused = await server.waitFor(() => server.sentMessages((p) => String(p.text).startsWith('Could not use empty.txt'))[0], 10_000);
    expect(refused.text).toMatch(/has no usable track/);
  });
});
