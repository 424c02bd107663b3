import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { createDoctorCommand } from './doctor.js';
import { registerDebugMatch } from './debug-match.js';
import { registerLogin } from './login.js';
import { registerDownload } from './download.js';
import { registerMissing } from './missing.js';
import { registerSpotifyLogin } from './spotify-login.js';
import { registerReport } from './report.js';
import { registerReset } from './reset.js';
import { registerStatus } from './status.js';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every `crate` command, one module each. Add a line here when a command file is added. */
export const commandModules: RegisterCommand[] = [registerDownload, registerMissing, registerSpotifyLogin, registerLogin, registerDebugMatch, createDoctorCommand(), registerStatus, registerReport, registerReset];
