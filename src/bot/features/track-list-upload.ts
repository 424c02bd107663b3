/**
 * A track list sent to the control bot as a file (a CSV export from Exportify, TuneMyMusic or Soundiiz,
 * or a text list of "Artist - Title" lines) becomes a job like a playlist link: the file is fetched from
 * the Bot API (bounded in size and time), kept under CRATE_DATA_DIR/uploads/ (the job's link points
 * there, so a restart resumes it), and the owner gets the same preview with Start / List / Cancel.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Composer } from 'grammy';
import { trackListLink } from '../../tracklist/link.js';
import type { BotContext, BotDeps } from '../context.js';
import { errorText } from '../errors.js';
import { inlineKeyboard, linkPreviewButtons } from '../keyboards.js';
import { totalCount } from '../progress-view.js';
import { previewText } from './link.js';

/** The same cap as for a file given to the CLI; the Bot API itself serves bots files up to 20 MB. */
const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 30_000;
const LIST_FILE = /\.(csv|tsv|txt)$/i;

/** Where files of the Bot API are fetched from: the bot's own API root and token. */
export interface BotFileSource {
  token: string;
  apiRoot: string;
  fetch?: typeof fetch;
}

export function createTrackListUploadFeature(deps: BotDeps, files: BotFileSource): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const { service, settings, config, progress } = deps;

  composer.on('message:document', async (ctx, next) => {
    const doc = ctx.message.document;
    const fileName = doc.file_name ?? '';
    if (!LIST_FILE.test(fileName)) return next();
    if ((doc.file_size ?? 0) > MAX_UPLOAD_BYTES) {
      await ctx.reply(`${fileName} is ${((doc.file_size ?? 0) / 1024 / 1024).toFixed(1)} MB; a track list can be at most 8 MB. Split it and send the parts.`);
      return;
    }
    try {
      const bytes = await downloadFile(ctx, files);
      const dir = path.join(config.dataDir, 'uploads');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // Content-addressed: the same list sent twice is the same file (and the same job while unfinished).
      const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
      const file = path.join(dir, `${digest}${path.extname(fileName).toLowerCase()}`);
      await writeFile(file, bytes, { mode: 0o600 });
      const name = (ctx.message.caption?.trim() || fileName.replace(LIST_FILE, '')).slice(0, 120);
      const { quality, batchSize } = settings.get();
      const job = await service.createJob(trackListLink(file, name), { quality, batchSize });
      ctx.logger.info({ jobId: job.id, tracks: job.total }, 'track list read');
      const { counts } = service.progress(job.id);
      const sent = await ctx.reply(previewText(job, totalCount(counts)), {
        reply_markup: inlineKeyboard(linkPreviewButtons(job.id, job.warnings.length)),
      });
      // The preview is the job's one card, as for a link.
      progress.adopt(job.id, { chatId: sent.chat.id, messageId: sent.message_id });
    } catch (err) {
      ctx.logger.info({ err }, 'track list refused');
      await ctx.reply(`Could not use ${fileName}:\n${errorText(err, deps.secrets)}`);
    }
  });
  return composer;
}

/** getFile, then the file itself, never more than the cap and never longer than the timeout. */
async function downloadFile(ctx: BotContext, files: BotFileSource): Promise<Buffer> {
  const info = await ctx.getFile();
  if (!info.file_path) throw new Error('the Bot API gave no file path for the upload');
  // The token is part of the URL: it is never logged (errors name the status only).
  const url = `${files.apiRoot}/file/bot${files.token}/${info.file_path}`;
  const res = await (files.fetch ?? fetch)(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!res.ok || !res.body) throw new Error(`the Bot API answered HTTP ${res.status} for the uploaded file`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > MAX_UPLOAD_BYTES) throw new Error('the uploaded file is larger than 8 MB');
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
