/**
 * GramJS over Crate's production socket and real loopback TCP: the fake Telegram behind a TCP
 * tunnel (the download bench's setup, here in one process), GramJS's own senders on top.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadDocumentInParts } from '../../src/telegram/downloader.js';
import { DC_IPS, FakeTelegramNetwork } from '../fakes/mtproto/fake-network.js';
import { tunnelSocketClass } from '../fakes/mtproto/tcp-tunnel-client.js';
import { serveOverTcp, type TcpTunnel } from '../fakes/mtproto/tcp-tunnel-server.js';
import { MiB, downloadRig, fileHash, type DownloadRig } from './downloader-helpers.js';

let tunnel: TcpTunnel | null = null;
let rig: DownloadRig | null = null;
let dir: string | null = null;

afterEach(async () => {
  await rig?.close();
  await tunnel?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  rig = tunnel = dir = null;
});

async function rigOverTcp(bytes: number): Promise<{ rig: DownloadRig; network: FakeTelegramNetwork }> {
  const network = new FakeTelegramNetwork({ latencyMs: 20, bandwidthBytesPerSec: 20 * MiB });
  tunnel = await serveOverTcp(network, Object.values(DC_IPS));
  rig = await downloadRig({ bytes }, { network, socketClass: tunnelSocketClass(tunnel.ports) });
  dir = await mkdtemp(join(tmpdir(), 'crate-net-socket-'));
  return { rig, network };
}

describe('GramJS over CrateNetSocket and loopback TCP', () => {
  it('downloads a document in parts through GramJS\'s own senders, byte for byte', async () => {
    const { rig, network } = await rigOverTcp(6 * MiB + 123);
    const target = join(dir!, 'song.flac');
    const result = await downloadDocumentInParts(rig.client, { message: rig.message, refetch: rig.refetch, targetPath: target, options: {} });
    expect(result.sizeBytes).toBe(rig.size);
    expect(await fileHash(target)).toBe(rig.expectedHash());
    // Every byte crossed a real TCP connection: the network saw its connections opened through the tunnel.
    expect(network.opened.get(network.mainDcId)).toBeGreaterThan(0);
  });

  it('a link cut mid-download: GramJS reconnects through a new socket and the file is still whole', async () => {
    const { rig, network } = await rigOverTcp(8 * MiB);
    const target = join(dir!, 'song.flac');
    let cut = false;
    const result = await downloadDocumentInParts(rig.client, {
      message: rig.message,
      refetch: rig.refetch,
      targetPath: target,
      options: {
        partSize: MiB,
        onProgress: ({ receivedBytes }) => {
          if (!cut && receivedBytes >= 2 * MiB) {
            cut = true;
            network.dropLinks();
          }
        },
      },
      timing: { retryDelaysMs: [50, 100, 200, 400, 800, 1600] },
    });
    expect(cut).toBe(true);
    expect(result.sizeBytes).toBe(rig.size);
    expect(await fileHash(target)).toBe(rig.expectedHash());
    const connections = [...network.opened.values()].reduce((a, b) => a + b, 0);
    expect(connections).toBeGreaterThan(2); // the main and the download sender, and at least one again after the cut
  });
});
