import { Api } from 'telegram';
import type { BotButton, BotMessage, DocumentFacts, InlineResultInfo, MediaKind } from '../domain/telegram.js';

/**
 * GramJS objects → the plain data of domain/telegram.ts. Nothing here touches the network.
 * Document facts come from `document.attributes` only: GramJS's `message.file.duration` throws.
 */

export function toBotMessage(message: Api.Message): BotMessage {
  const document = documentOf(message);
  return {
    id: message.id,
    date: message.date ?? 0,
    editDate: message.editDate ?? null,
    out: Boolean(message.out),
    text: message.message ?? '',
    buttons: buttonsOf(message.replyMarkup),
    media: mediaKind(message.media),
    document: document ? documentFacts(document) : null,
    replyToMessageId: message.replyTo instanceof Api.MessageReplyHeader ? (message.replyTo.replyToMsgId ?? null) : null,
  };
}

/** The Api.Document of a message, when it carries one. */
export function documentOf(message: Api.Message): Api.Document | null {
  const media = message.media;
  if (media instanceof Api.MessageMediaDocument && media.document instanceof Api.Document) return media.document;
  return null;
}

/**
 * A link preview is still a text message for our purposes; a photo is how "nothing found" looks.
 * GramJS reads an absent optional field off the wire as null (not undefined).
 */
export function mediaKind(media: Api.TypeMessageMedia | null | undefined): MediaKind {
  if (media === undefined || media === null || media instanceof Api.MessageMediaEmpty || media instanceof Api.MessageMediaWebPage) {
    return 'none';
  }
  if (media instanceof Api.MessageMediaPhoto) return 'photo';
  if (media instanceof Api.MessageMediaDocument) return media.document instanceof Api.Document ? 'document' : 'other';
  return 'other';
}

export function documentFacts(document: Api.Document): DocumentFacts {
  let fileName: string | null = null;
  let performer: string | null = null;
  let title: string | null = null;
  let durationSec: number | null = null;
  for (const attribute of document.attributes) {
    if (attribute instanceof Api.DocumentAttributeFilename) fileName = attribute.fileName;
    if (attribute instanceof Api.DocumentAttributeAudio) {
      performer = attribute.performer ?? null;
      title = attribute.title ?? null;
      durationSec = Number.isFinite(attribute.duration) ? attribute.duration : null;
    }
  }
  return {
    id: document.id.toString(),
    fileName,
    mimeType: document.mimeType || null,
    size: Number(document.size.toString()),
    performer,
    title,
    durationSec,
  };
}

export function buttonsOf(markup: Api.TypeReplyMarkup | undefined): BotButton[] {
  if (!(markup instanceof Api.ReplyInlineMarkup) && !(markup instanceof Api.ReplyKeyboardMarkup)) return [];
  const buttons: BotButton[] = [];
  markup.rows.forEach((row, rowIndex) => {
    row.buttons.forEach((button, columnIndex) => {
      buttons.push({
        text: button.text,
        row: rowIndex,
        column: columnIndex,
        data: button instanceof Api.KeyboardButtonCallback ? Buffer.from(button.data).toString('base64') : null,
        url: button instanceof Api.KeyboardButtonUrl ? button.url : null,
      });
    });
  });
  return buttons;
}

export function toInlineResult(queryId: string, result: Api.TypeBotInlineResult): InlineResultInfo {
  const document =
    result instanceof Api.BotInlineMediaResult && result.document instanceof Api.Document ? result.document : null;
  // The message the result would send: its words ("FLAC", "подождите…") and keyboard (a wait button).
  const send = result.sendMessage as { message?: unknown; replyMarkup?: Api.TypeReplyMarkup };
  return {
    queryId,
    resultId: result.id,
    title: result.title ?? null,
    description: result.description ?? null,
    document: document ? documentFacts(document) : null,
    text: typeof send.message === 'string' ? send.message.slice(0, 8192) : null,
    buttons: buttonsOf(send.replyMarkup).slice(0, 200),
  };
}
