#!/usr/bin/env node
// Runs the TypeScript sources through tsx so that `npx crate` works right after `npm ci`,
// with no build step to forget.
import { register } from 'tsx/esm/api';

// `crate report | head` closes stdout early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

register();
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv);
