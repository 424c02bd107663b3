export declare const SMALL_YOUNG_GENERATION: string;
/** The node flags `crate <command>` runs with (none for the short commands). */
export declare function nodeFlagsFor(command: string | undefined): string[];
