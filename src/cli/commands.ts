import type { Command } from 'commander';
import type { CliContext } from './context.js';

/**
 * One `crate` command: each lives in its own file under src/cli/ and is wired with its
 * dependencies by the composition root (src/main.ts, `createCommands`).
 */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;
