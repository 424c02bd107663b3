import type { Command } from 'commander';
import type { CliContext } from './context.js';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every `crate` command, one module each. Add a line here when a command file is added. */
export const commandModules: RegisterCommand[] = [];
