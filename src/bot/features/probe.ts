/**
 * /probe QUERY: one real exchange with @LosslessRobot (a track link or "Artist - Title"), answered
 * with every step as the bot sent it and what Crate reads in each, plus the anonymised recording
 * as a file to attach to a bug report. It runs in the background: the bot keeps answering
 * meanwhile, and one probe at a time.
 */
import { Composer, InputFile } from 'grammy';
import type { BotContext, BotDeps } from '../context.js';
import { errorText } from '../errors.js';

/** Telegram's limit is 4096; a little room for safety. */
const CHUNK = 3800;
const MAX_CHUNKS = 6;

export function createProbeFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  let running = false;

  composer.command('probe', async (ctx) => {
    const prober = deps.prober;
    if (!prober) {
      await ctx.reply('/probe is not available in this setup.');
      return;
    }
    const query = ctx.match.trim();
    if (query === '') {
      await ctx.reply('Send /probe with a Spotify track link or "Artist - Title", e.g.\n/probe Benny Benassi - Satisfaction');
      return;
    }
    if (running) {
      await ctx.reply('A probe is already running; wait for its answer.');
      return;
    }
    running = true;
    await ctx.reply(`Probing @LosslessRobot for "${query}" (paced; up to ${prober.maxSeconds} s). I send every step when it is done.`);
    const chatId = ctx.chat.id;
    const api = ctx.api;
    const log = ctx.logger;
    // Not awaited: a probe waits minutes for the bot, and updates must go on being handled.
    void prober
      .probe(query)
      .then(async (report) => {
        for (const chunk of chunks([...report.lines, '', report.verdict])) await api.sendMessage(chatId, chunk);
        await api.sendDocument(chatId, new InputFile(Buffer.from(report.recording, 'utf8'), report.fileName), {
          caption: 'The exchange as a crate-exchange/1 file (ids, file references, phone numbers and your names removed). Replay: crate debug exchange --input FILE',
        });
      })
      .catch(async (err: unknown) => {
        log.warn({ err }, 'probe failed');
        await api.sendMessage(chatId, `Probe failed: ${errorText(err, deps.secrets)}`).catch(() => undefined);
      })
      .finally(() => {
        running = false;
      });
  });

  return composer;
}

/** Lines joined into messages under the size limit (a very long exchange is cut, and says so). */
export function chunks(lines: string[]): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = raw.length > CHUNK ? `${raw.slice(0, CHUNK - 1)}…` : raw;
    if (current.length + line.length + 1 > CHUNK) {
      out.push(current);
      current = '';
    }
    current += (current ? '\n' : '') + line;
  }
  if (current) out.push(current);
  if (out.length > MAX_CHUNKS) return [...out.slice(0, MAX_CHUNKS - 1), `… ${out.length - MAX_CHUNKS + 1} more messages left out; the attached file has every step.`];
  return out;
}
