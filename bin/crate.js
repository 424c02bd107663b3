#!/usr/bin/env node
// Runs the TypeScript sources through tsx so that `npx crate` works right after `npm ci`,
// with no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv);
