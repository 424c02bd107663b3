export declare const SMALL_YOUNG_GENERATION: string;
export declare const MEMORY_SAVING_MODE: string;
/** The node flags `crate <command>` runs with (none for the short commands). */
export declare function nodeFlagsFor(command: string | undefined): string[];
/** The environment `crate <command>` restarts itself with: `env` with the command's defaults under it. */
export declare function nodeEnvFor(command: string | undefined, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
