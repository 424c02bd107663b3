/**
 * A real HTTP server on 127.0.0.1 speaking enough of the Bot API for the control bot:
 * `/bot<token>/<method>` with JSON, form or multipart bodies. It records every call, serves
 * queued updates to getUpdates (long polling that returns as soon as an update is pushed), and
 * behaves like Telegram where it matters: editMessageText with unchanged content is a 400
 * "message is not modified", unknown messages cannot be edited or deleted, a wrong token is 401.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  payload: Record<string, any>;
  at: number;
  /** What the server answered (`result` on success, the error otherwise); set once answered. */
  response?: ApiResult;
}

interface StoredMessage {
  message_id: number;
  chat_id: number;
  text: string;
  reply_markup: string;
}

export interface FakeUser {
  id: number;
  first_name: string;
  username?: string;
}

type ApiResult = { ok: true; result: unknown } | { ok: false; error_code: number; description: string; parameters?: Record<string, unknown> };

export class FakeBotApiServer {
  readonly calls: RecordedCall[] = [];
  readonly botUser = { id: 7000001, is_bot: true, first_name: 'Crate', username: 'crate_test_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: true };
  private server: Server | null = null;
  private updates: Record<string, unknown>[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1000;
  private readonly messages = new Map<string, StoredMessage>();
  private waiters: (() => void)[] = [];
  private readonly failures: { method: string; result: ApiResult; times: number }[] = [];
  private readonly callListeners: (() => void)[] = [];
  /** Files users sent (getFile answers for them; their bytes are served at /file/bot<token>/<path>). */
  private readonly files = new Map<string, { path: string; bytes: Buffer }>();
  /** Users the server knows (getChat answers for them, as Telegram does once they started the bot). */
  readonly knownUsers = new Map<number, FakeUser>();

  constructor(readonly token = '7000001:AAFakeTokenForTestsOnly_abcdefghijklmnop') {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.apiRoot;
  }

  get apiRoot(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const w of this.waiters.splice(0)) w();
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- updates -----------------------------------------------------------------------------

  pushUpdate(update: Record<string, unknown>): number {
    const update_id = this.nextUpdateId++;
    this.updates.push({ update_id, ...update });
    for (const w of this.waiters.splice(0)) w();
    return update_id;
  }

  /** A private text message from `from`; a leading /command gets its bot_command entity. */
  pushMessage(from: FakeUser, text: string, options: { chat?: { id: number; type: string; title?: string } } = {}): number {
    const message_id = this.nextMessageId++;
    const chat = options.chat ?? { id: from.id, type: 'private', first_name: from.first_name };
    const entities: Record<string, unknown>[] = [];
    const command = /^\/[a-z0-9_]+(@\w+)?/i.exec(text);
    if (command) entities.push({ type: 'bot_command', offset: 0, length: command[0].length });
    for (const m of text.matchAll(/https?:\/\/\S+/g)) entities.push({ type: 'url', offset: m.index, length: m[0].length });
    this.messages.set(`${chat.id}:${message_id}`, { message_id, chat_id: chat.id, text, reply_markup: '' });
    this.pushUpdate({
      message: {
        message_id,
        from: { ...from, is_bot: false },
        chat,
        date: Math.floor(Date.now() / 1000),
        text,
        ...(entities.length ? { entities } : {}),
      },
    });
    return message_id;
  }

  /** A private message with a document (a file the user sends the bot), with an optional caption. */
  pushDocument(from: FakeUser, file: { name: string; bytes: Buffer; mimeType?: string; caption?: string }): number {
    const message_id = this.nextMessageId++;
    const file_id = `BQACAgI${message_id}${Math.random().toString(36).slice(2, 10)}`;
    this.files.set(file_id, { path: `documents/file_${message_id}${file.name.slice(file.name.lastIndexOf('.'))}`, bytes: file.bytes });
    this.pushUpdate({
      message: {
        message_id,
        from: { ...from, is_bot: false },
        chat: { id: from.id, type: 'private', first_name: from.first_name },
        date: Math.floor(Date.now() / 1000),
        document: { file_id, file_unique_id: `u${file_id}`, file_name: file.name, mime_type: file.mimeType ?? 'text/plain', file_size: file.bytes.length },
        ...(file.caption ? { caption: file.caption } : {}),
      },
    });
    return message_id;
  }

  /** The user presses an inline button of one of the bot's messages. */
  pushCallbackQuery(from: FakeUser, messageId: number, data: string, chatId = from.id): number {
    const stored = this.messages.get(`${chatId}:${messageId}`);
    return this.pushUpdate({
      callback_query: {
        id: `cq${this.nextUpdateId}`,
        from: { ...from, is_bot: false },
        chat_instance: `ci${chatId}`,
        data,
        message: {
          message_id: messageId,
          from: this.botUser,
          chat: { id: chatId, type: 'private', first_name: from.first_name },
          date: Math.floor(Date.now() / 1000),
          text: stored?.text ?? '',
        },
      },
    });
  }

  pushInlineQuery(from: FakeUser, query: string): number {
    return this.pushUpdate({
      inline_query: { id: `iq${this.nextUpdateId}`, from: { ...from, is_bot: false }, query, offset: '' },
    });
  }

  /** Makes the next `times` calls of `method` fail with this Bot API error. */
  failNext(method: string, error: { error_code: number; description: string; parameters?: Record<string, unknown> }, times = 1): void {
    this.failures.push({ method, result: { ok: false, ...error }, times });
  }

  // ---- inspection --------------------------------------------------------------------------

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Calls other than the polling machinery (getUpdates / getMe / deleteWebhook / setMyCommands). */
  visibleCalls(): RecordedCall[] {
    return this.calls.filter((c) => !['getUpdates', 'getMe', 'deleteWebhook', 'setMyCommands', 'close'].includes(c.method));
  }

  /** Message ids the bot got back from sendMessage calls matching `predicate`. */
  sentMessages(predicate: (payload: Record<string, any>) => boolean = () => true): { messageId: number; text: string; payload: Record<string, any> }[] {
    return this.callsOf('sendMessage')
      .filter((c) => c.response?.ok && predicate(c.payload))
      .map((c) => ({
        messageId: (c.response as { result: { message_id: number } }).result.message_id,
        text: String(c.payload.text),
        payload: c.payload,
      }));
  }

  /** The current text of a message the bot sent (after edits). */
  messageText(chatId: number, messageId: number): string | undefined {
    return this.messages.get(`${chatId}:${messageId}`)?.text;
  }

  /** All updates pushed so far were fetched by the bot (and the next getUpdates confirmed them). */
  pendingUpdates(): number {
    return this.updates.length;
  }

  /** Resolves when `predicate` holds for the recorded calls (checked after each call). */
  async waitFor<T>(predicate: (calls: RecordedCall[]) => T | undefined | false | null, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate(this.calls);
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) {
        const tail = this.calls.slice(-8).map((c) => `${c.method} ${JSON.stringify(c.payload).slice(0, 200)}`);
        throw new Error(`FakeBotApiServer.waitFor timed out; last calls:\n${tail.join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 200));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.callListeners.push(done);
      });
    }
  }

  /** Waits until the bot has fetched every pushed update and asked for more (so it handled them). */
  async waitUntilIdle(timeoutMs = 5000): Promise<void> {
    const lastId = this.nextUpdateId - 1;
    await this.waitFor((calls) => calls.some((c) => c.method === 'getUpdates' && Number(c.payload.offset ?? 0) > lastId), timeoutMs);
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url?.split('?')[0] ?? '');
    if (fileMatch) {
      const stored = [...this.files.values()].find((f) => f.path === fileMatch[2]);
      if (fileMatch[1] !== this.token || !stored) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(stored.bytes.length) });
      res.end(stored.bytes);
      return;
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url?.split('?')[0] ?? '');
    const body = await readBody(req);
    if (!match) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    const payload = parsePayload(req.headers['content-type'] ?? '', body);
    const call: RecordedCall = { method, payload, at: Date.now() };
    this.calls.push(call);
    const respond = (result: ApiResult) => {
      call.response = result;
      send(res, result.ok ? 200 : result.error_code, result);
      for (const l of this.callListeners.splice(0)) l();
    };
    if (token !== this.token) return respond({ ok: false, error_code: 401, description: 'Unauthorized' });

    const failure = this.failures.find((f) => f.method === method && f.times > 0);
    if (failure) {
      failure.times -= 1;
      return respond(failure.result);
    }
    if (method === 'getUpdates') {
      for (const l of this.callListeners.splice(0)) l();
      return this.getUpdates(req, res, payload);
    }
    respond(this.answer(method, payload));
  }

  private async getUpdates(req: IncomingMessage, res: ServerResponse, payload: Record<string, any>): Promise<void> {
    const offset = Number(payload.offset ?? 0);
    this.updates = this.updates.filter((u) => (u.update_id as number) >= offset);
    const timeoutMs = Math.min(Number(payload.timeout ?? 0), 30) * 1000;
    if (this.updates.length === 0 && timeoutMs > 0) {
      let closed = false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        req.socket.once('close', () => {
          closed = true;
          done();
        });
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.push(done);
      });
      if (closed) return;
    }
    const limit = Number(payload.limit ?? 100);
    send(res, 200, { ok: true, result: this.updates.slice(0, limit) });
  }

  private answer(method: string, p: Record<string, any>): ApiResult {
    const ok = (result: unknown): ApiResult => ({ ok: true, result });
    const bad = (description: string): ApiResult => ({ ok: false, error_code: 400, description: `Bad Request: ${description}` });
    switch (method) {
      case 'getFile': {
        const f = this.files.get(String(p.file_id));
        return f ? ok({ file_id: p.file_id, file_unique_id: `u${p.file_id}`, file_size: f.bytes.length, file_path: f.path }) : bad('invalid file_id');
      }
      case 'getMe':
        return ok(this.botUser);
      case 'deleteWebhook':
      case 'setMyCommands':
      case 'answerCallbackQuery':
      case 'answerInlineQuery':
      case 'sendChatAction':
      case 'close':
        return ok(true);
      case 'getChat': {
        const user = this.knownUsers.get(Number(p.chat_id));
        return user ? ok({ id: user.id, type: 'private', first_name: user.first_name }) : bad('chat not found');
      }
      case 'sendMessage':
      case 'sendDocument': {
        const chatId = Number(p.chat_id);
        const message_id = this.nextMessageId++;
        const text = String(p.text ?? p.caption ?? '');
        this.messages.set(`${chatId}:${message_id}`, { message_id, chat_id: chatId, text, reply_markup: markupKey(p.reply_markup) });
        return ok({
          message_id,
          from: this.botUser,
          chat: { id: chatId, type: 'private' },
          date: Math.floor(Date.now() / 1000),
          ...(method === 'sendMessage' ? { text } : { caption: text, document: { file_id: `f${message_id}`, file_unique_id: `u${message_id}` } }),
        });
      }
      case 'editMessageText': {
        const key = `${Number(p.chat_id)}:${Number(p.message_id)}`;
        const stored = this.messages.get(key);
        if (!stored) return bad('message to edit not found');
        const text = String(p.text ?? '');
        const markup = markupKey(p.reply_markup);
        if (stored.text === text && stored.reply_markup === markup) {
          return bad('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        stored.text = text;
        stored.reply_markup = markup;
        return ok({ message_id: stored.message_id, from: this.botUser, chat: { id: stored.chat_id, type: 'private' }, date: 0, edit_date: Math.floor(Date.now() / 1000), text });
      }
      case 'deleteMessage': {
        const key = `${Number(p.chat_id)}:${Number(p.message_id)}`;
        if (!this.messages.delete(key)) return bad('message to delete not found');
        return ok(true);
      }
      default:
        return { ok: false, error_code: 404, description: 'Not Found: method not found' };
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function markupKey(markup: unknown): string {
  if (markup === undefined || markup === null || markup === '') return '';
  const value = typeof markup === 'string' ? JSON.parse(markup) : markup;
  const rows = (value as { inline_keyboard?: unknown[] }).inline_keyboard;
  return rows && rows.length === 0 ? '' : JSON.stringify(value);
}

/** JSON, urlencoded or multipart (grammY uses multipart when a file is attached). */
function parsePayload(contentType: string, body: Buffer): Record<string, any> {
  if (body.length === 0) return {};
  if (contentType.includes('application/json')) return JSON.parse(body.toString('utf8')) as Record<string, any>;
  if (contentType.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body.toString('utf8')));
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return { raw: body.toString('utf8') };
  const out: Record<string, any> = {};
  const delimiter = `--${boundary[1] ?? boundary[2]}`;
  for (const part of body.toString('latin1').split(delimiter)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) continue;
    const headers = part.slice(0, headerEnd);
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    if (!name) continue;
    const value = part.slice(headerEnd + 4).replace(/\r\n$/, '');
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    if (filename !== undefined) out[name] = { filename, size: Buffer.from(value, 'latin1').length };
    else {
      const text = Buffer.from(value, 'latin1').toString('utf8');
      try {
        out[name] = JSON.parse(text);
      } catch {
        out[name] = text;
      }
    }
  }
  return out;
}
