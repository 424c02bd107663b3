import { afterEach, describe, expect, it } from 'vitest';
import { inlineLabel } from '../../src/lossless/inline-strategy.js';
import type { SimTrack } from '../fakes/simulated-lossless/core.js';
import { expectDownloaded, fromSim, makeRig, type Rig, type RigOptions } from './support.js';

const rain: SimTrack = { id: 'rain', spotifyId: '1ZbLAz3nDeeyUJyEdyTxgQ', artists: ['Kerri Chandler'], title: 'Rain', durationSec: 371 };
const rainKaraoke: SimTrack = {
  id: 'rain-k',
  artists: ['Kerri Chandler Karaoke Band'],
  title: 'Rain (Karaoke Version)',
  durationSec: 371,
};
const minus: SimTrack = { id: 'minus', artists: ['Robert Hood'], title: 'Minus', durationSec: 276, inline: 'document' };

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function setup(catalogue: SimTrack[], options: RigOptions = {}): Promise<Rig> {
  rig = await makeRig(catalogue, { mode: 'inline', ...options });
  return rig;
}

describe('InlineStrategy on the simulated bot', () => {
  it('picks the right result, sends it, waits for the "wait" message to become the file, downloads it', async () => {
    const r = await setup([rainKaraoke, rain]);
    const req = r.request(fromSim(rain));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.pickedRow).toBe('Kerri Chandler - Rain [6:11]');
    expect(out.receivedFile).toMatchObject({ performer: 'Kerri Chandler', title: 'Rain' });
    expect(r.bot.actions().map((a) => a.kind)).toEqual(['inline', 'sendInline']);
    expect(r.bot.actions()[0]!.detail).toBe('Kerri Chandler - Rain');
    expect(r.pacer.calls.map((c) => c.kind)).toEqual(['inline', 'message']);
    expect(req.track.requestMessageId).toBe(out.receivedFile.messageId);
  });

  it('a result that carries the document is downloaded at once', async () => {
    const r = await setup([minus]);
    const out = expectDownloaded(await r.run(r.acquirer.acquire(r.request(fromSim(minus)))));
    expect(out.receivedFile).toMatchObject({ title: 'Minus' });
  });

  it('no results → not_found', async () => {
    const r = await setup([rain]);
    const out = await r.run(r.acquirer.acquire(r.request({ artists: ['Nobody'], title: 'Nothing', durationMs: 200_000 })));
    expect(out.kind).toBe('not_found');
    expect(r.gateway.count('sendInlineResult')).toBe(0);
  });

  it('only decoys → not_found, nothing sent', async () => {
    const r = await setup([rainKaraoke]);
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(rain))));
    expect(out.kind).toBe('not_found');
    expect(r.gateway.count('sendInlineResult')).toBe(0);
  });

  it('a wrong file is rejected before downloading', async () => {
    const r = await setup([{ ...rain, wrongFile: true }]);
    const out = await r.run(r.acquirer.acquire(r.request(fromSim(rain))));
    expect(out.kind).toBe('mismatch');
    expect(r.gateway.count('downloadDocument')).toBe(0);
  });

  it('resume: our inline message already turned into the file → downloaded, nothing sent', async () => {
    const r = await setup([rain]);
    const [result] = r.bot.inlineQuery('Kerri Chandler - Rain');
    const ours = r.bot.sendInlineResult(result!);
    await r.clock.advance(20_000);
    const req = r.request(fromSim(rain, { state: 'picked', requestMessageId: ours.id, pickedRow: 'Kerri Chandler - Rain [6:11]' }));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ messageId: ours.id, title: 'Rain' });
    expect(r.gateway.count('inlineQuery') + r.gateway.count('sendInlineResult')).toBe(0);
  });

  it('resume: our inline message still says "wait" → waits for it, asks nothing', async () => {
    const r = await setup([{ ...rain, fileDelayMs: 30_000 }]);
    const [result] = r.bot.inlineQuery('Kerri Chandler - Rain');
    const ours = r.bot.sendInlineResult(result!);
    await r.clock.advance(1_000);
    const req = r.request(fromSim(rain, { state: 'picked', requestMessageId: ours.id, pickedRow: 'Kerri Chandler - Rain [6:11]' }));
    const out = expectDownloaded(await r.run(r.acquirer.acquire(req)));
    expect(out.receivedFile).toMatchObject({ messageId: ours.id });
    expect(r.gateway.count('inlineQuery') + r.gateway.count('sendInlineResult')).toBe(0);
  });

  it('labels inline results like menu rows', () => {
    const base = { queryId: '1', resultId: '1', document: null };
    expect(inlineLabel({ ...base, title: 'A - B', description: '6:11 · скачать' })).toBe('A - B [6:11]');
    expect(inlineLabel({ ...base, title: 'A - B', description: 'FLAC' })).toBe('A - B');
    expect(
      inlineLabel({
        ...base,
        title: 'x',
        description: null,
        document: { id: '1', fileName: 'A - B.flac', mimeType: 'audio/flac', size: 1, performer: 'A', title: 'B', durationSec: 61 },
      }),
    ).toBe('A - B [1:01]');
  });
});
