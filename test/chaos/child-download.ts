/**
 * The process the chaos kill test SIGKILLs: a plain `crate download LINK` (runCli, the real
 * composition root) whose Telegram gateway is a RemoteGateway to the parent's simulated bot.
 * The library's move into place reports checkpoints through file-system hooks (test
 * instrumentation only): before linking a verified download to its final name, before unlinking
 * the download path, and after that unlink.
 * Settings come from the environment the parent passes; the exit code is the CLI's.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { runCli } from '../../src/cli.js';
import { RemoteGateway, type RpcPort } from './remote-gateway.js';

if (!process.send) throw new Error('child-download.ts must be started with child_process.fork');
const port = process as unknown as RpcPort;
const gateway = new RemoteGateway(port, { chunkBytes: Number(process.env.CHAOS_CHUNK_BYTES) || 64 * 1024 });

// The parent going away ends us too (no orphaned downloads).
process.on('disconnect', () => process.exit(70));

const PARTIAL = `${path.sep}.crate-partial${path.sep}`;
const real = { link: fs.promises.link, unlink: fs.promises.unlink };
fs.promises.link = async (src: fs.PathLike, dest: fs.PathLike) => {
  if (String(src).includes(PARTIAL)) await gateway.checkpoint('link', { path: String(src), other: String(dest) });
  return real.link(src, dest);
};
fs.promises.unlink = async (file: fs.PathLike) => {
  if (!String(file).includes(PARTIAL)) return real.unlink(file);
  await gateway.checkpoint('unlink', { path: String(file) });
  await real.unlink(file);
  await gateway.checkpoint('unlinked', { path: String(file) });
};
// The library imports `link` / `unlink` by name from node:fs/promises: refresh those bindings.
syncBuiltinESMExports();

const link = process.env.CHAOS_LINK;
if (!link) throw new Error('CHAOS_LINK is not set');
const code = await runCli(['node', 'crate', 'download', link], {
  env: process.env,
  cwd: process.env.CHAOS_CWD ?? process.cwd(),
  wiring: { createGateway: async () => gateway },
});
process.exit(code);
