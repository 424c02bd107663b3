#!/usr/bin/env node
// `crate`: runs the compiled service in dist/ (`npm run build`) when it is there and up to date,
// else the TypeScript sources through tsx, so `npx crate` works right after `npm ci` too.
// CRATE_RUN_FROM=src|dist forces one (tests run the sources; the startup bench compares both).
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { nodeEnvFor, nodeFlagsFor } from './node-flags.js';

// The long-running commands (serve, download) run with the flags and environment in
// bin/node-flags.js. They only work from process start, so the process replaces itself once with
// a node that has them (same pid, same stdio; process.execve, Node 22.15+/23.11+).
const wanted = nodeFlagsFor(process.argv[2]).filter((flag) => !process.execArgv.includes(flag));
if (wanted.length > 0 && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...wanted, ...process.execArgv, ...process.argv.slice(1)], nodeEnvFor(process.argv[2], process.env));
}

const root = new URL('../', import.meta.url);
const built = new URL('dist/cli.js', root);
const stamp = new URL('dist/.tsbuildinfo', root);
const sources = new URL('src/', root);

// `crate report | head` closes stdout early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/** A build older than any source file would run yesterday's code: the sources win then (a few ms of stats). */
function buildIsCurrent() {
  if (!existsSync(built) || !existsSync(stamp)) return false;
  if (!existsSync(sources)) return true; // an installed package ships dist/ only
  const builtAt = statSync(stamp).mtimeMs;
  for (const entry of readdirSync(sources, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && statSync(`${entry.parentPath}/${entry.name}`).mtimeMs > builtAt) return false;
  }
  return true;
}

// Node 24 re-reads a package's package.json for every module file it resolves; drizzle-orm's is
// 178 KB and it has ~400 ESM files, so `import('drizzle-orm')` costs ~0.4 s and ~200 MB of heap
// there (70 ms on Node 20; the CommonJS build of it loads in 80 ms). Its files only import each
// other by relative `.js` paths inside a `"type": "module"` package, so those are resolved here
// directly; everything else takes Node's own path.
//
// grammY requires node-fetch 2, which requires whatwg-url 5 for a URL class it uses only on a Node
// without one (`Url.URL || whatwgUrl.URL`); loading it parses tr46's 260 KB Unicode table into
// ~1.5 MB of heap that an idle serve keeps for nothing. node-fetch gets Node's own URL instead.
// registerHooks exists from Node 22.15 / 23.5; older Nodes simply load slower (and whatwg-url).
const NODE_URL_FOR_NODE_FETCH = new URL('node-url.cjs', import.meta.url).href;
nodeModule.registerHooks?.({
  resolve(specifier, context, nextResolve) {
    if (
      (specifier.startsWith('./') || specifier.startsWith('../')) &&
      specifier.endsWith('.js') &&
      context.parentURL?.includes('/node_modules/drizzle-orm/')
    ) {
      return { url: new URL(specifier, context.parentURL).href, format: 'module', shortCircuit: true };
    }
    if (specifier === 'whatwg-url' && context.parentURL?.includes('/node_modules/node-fetch/')) {
      return { url: NODE_URL_FOR_NODE_FETCH, format: 'commonjs', shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
});

const from = process.env.CRATE_RUN_FROM;
let cli;
if (from === 'dist' || (from !== 'src' && buildIsCurrent())) {
  cli = await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('src/cli.ts', root).href);
}
process.exitCode = await cli.runCli(process.argv);
// The command is over. Whatever a vendor library left running (GramJS reconnect loops and timers
// on a dead link) must not keep the process alive: exit within 2 s. The timer is unref'd, so a
// clean event loop exits at once without waiting for it.
setTimeout(() => process.exit(process.exitCode ?? 0), 2_000).unref();
