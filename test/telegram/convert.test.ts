import bigInt from 'big-integer';
import { Api } from 'telegram';
import { describe, expect, it } from 'vitest';
import { buttonsOf, documentFacts, mediaKind, toBotMessage, toInlineResult } from '../../src/telegram/convert.js';

const flacDocument = (attributes: Api.TypeDocumentAttribute[]) =>
  new Api.Document({
    id: bigInt('5123456789012345678'),
    accessHash: bigInt(1),
    fileReference: Buffer.from('r'),
    date: 1,
    mimeType: 'audio/flac',
    size: bigInt(47_123_456),
    dcId: 2,
    attributes,
  });

describe('toBotMessage', () => {
  it('turns a search menu into rows and columns with base64 callback data', () => {
    const message = new Api.Message({
      id: 10,
      peerId: new Api.PeerUser({ userId: bigInt(777) }),
      date: 1_700_000_000,
      message: 'Результаты поиска',
      replyMarkup: new Api.ReplyInlineMarkup({
        rows: [
          new Api.KeyboardButtonRow({
            buttons: [new Api.KeyboardButtonCallback({ text: 'Benny Benassi - Satisfaction [4:45]', data: Buffer.from([1, 2, 250]) })],
          }),
          new Api.KeyboardButtonRow({
            buttons: [
              new Api.KeyboardButtonCallback({ text: '◉', data: Buffer.from('noop') }),
              new Api.KeyboardButtonCallback({ text: '1 / 16', data: Buffer.from('page') }),
              new Api.KeyboardButtonUrl({ text: 'site', url: 'https://example.org' }),
            ],
          }),
        ],
      }),
    });
    const plain = toBotMessage(message);
    expect(plain).toMatchObject({ id: 10, date: 1_700_000_000, editDate: null, out: false, text: 'Результаты поиска', media: 'none' });
    expect(plain.buttons).toEqual([
      { text: 'Benny Benassi - Satisfaction [4:45]', row: 0, column: 0, data: Buffer.from([1, 2, 250]).toString('base64'), url: null },
      { text: '◉', row: 1, column: 0, data: Buffer.from('noop').toString('base64'), url: null },
      { text: '1 / 16', row: 1, column: 1, data: Buffer.from('page').toString('base64'), url: null },
      { text: 'site', row: 1, column: 2, data: null, url: 'https://example.org' },
    ]);
    // Plain data: survives a JSON round trip unchanged.
    expect(JSON.parse(JSON.stringify(plain))).toEqual(plain);
  });

  it('reads document facts from document.attributes (performer, title, duration, file name)', () => {
    const message = new Api.Message({
      id: 11,
      out: false,
      peerId: new Api.PeerUser({ userId: bigInt(777) }),
      date: 5,
      editDate: 9,
      message: '',
      replyTo: new Api.MessageReplyHeader({ replyToMsgId: 7 }),
      media: new Api.MessageMediaDocument({
        document: flacDocument([
          new Api.DocumentAttributeAudio({ duration: 285, performer: 'Benny Benassi', title: 'Satisfaction' }),
          new Api.DocumentAttributeFilename({ fileName: 'Benny Benassi - Satisfaction.flac' }),
        ]),
      }),
    });
    expect(toBotMessage(message)).toMatchObject({
      id: 11,
      editDate: 9,
      media: 'document',
      replyToMessageId: 7,
      document: {
        id: '5123456789012345678',
        fileName: 'Benny Benassi - Satisfaction.flac',
        mimeType: 'audio/flac',
        size: 47_123_456,
        performer: 'Benny Benassi',
        title: 'Satisfaction',
        durationSec: 285,
      },
    });
  });

  it('leaves facts null when the attributes are missing', () => {
    expect(documentFacts(flacDocument([]))).toEqual({
      id: '5123456789012345678',
      fileName: null,
      mimeType: 'audio/flac',
      size: 47_123_456,
      performer: null,
      title: null,
      durationSec: null,
    });
  });

  it('classifies media: photo (nothing found), document, link preview as text, others', () => {
    const photo = new Api.MessageMediaPhoto({ photo: new Api.PhotoEmpty({ id: bigInt(1) }) });
    expect(mediaKind(photo)).toBe('photo');
    expect(mediaKind(undefined)).toBe('none');
    expect(mediaKind(new Api.MessageMediaWebPage({ webpage: new Api.WebPageEmpty({ id: bigInt(1) }) }))).toBe('none');
    expect(mediaKind(new Api.MessageMediaDocument({}))).toBe('other');
    expect(mediaKind(new Api.MessageMediaGeo({ geo: new Api.GeoPointEmpty() }))).toBe('other');
    expect(buttonsOf(undefined)).toEqual([]);
  });

  it('converts inline results, with the document when the result carries one', () => {
    const media = new Api.BotInlineMediaResult({
      id: 'r1',
      type: 'audio',
      title: 'Satisfaction',
      document: flacDocument([new Api.DocumentAttributeAudio({ duration: 285, performer: 'Benny Benassi', title: 'Satisfaction' })]),
      sendMessage: new Api.BotInlineMessageMediaAuto({ message: 'FLAC' }),
    });
    const article = new Api.BotInlineResult({
      id: 'r2',
      type: 'article',
      title: 'Benny Benassi - Satisfaction',
      description: 'FLAC 16 bit',
      sendMessage: new Api.BotInlineMessageText({
        message: 'x',
        replyMarkup: new Api.ReplyInlineMarkup({
          rows: [new Api.KeyboardButtonRow({ buttons: [new Api.KeyboardButtonCallback({ text: 'Подождите, трек скоро скачается.', data: Buffer.from('w') })] })],
        }),
      }),
    });
    expect(toInlineResult('99', media)).toMatchObject({ queryId: '99', resultId: 'r1', title: 'Satisfaction', description: null, document: { durationSec: 285 }, text: 'FLAC', buttons: [] });
    // The result's own message and keyboard come along: a wait button says the file is not ready.
    expect(toInlineResult('99', article)).toEqual({
      queryId: '99',
      resultId: 'r2',
      title: 'Benny Benassi - Satisfaction',
      description: 'FLAC 16 bit',
      document: null,
      text: 'x',
      buttons: [{ text: 'Подождите, трек скоро скачается.', row: 0, column: 0, data: Buffer.from('w').toString('base64'), url: null }],
    });
  });
});
