/**
 * Duration limits, in one place because the picker, the verifier and the attributor must agree.
 * Measured differences between Spotify's length and the bot's/file's length of the same recording
 * stay within ~1.5 s; different versions of one title are rarely closer than 3 s.
 */

/** Lengths "agree": close enough that differing version words are a labelling difference. */
export const SAME_LENGTH_MS = 2_000;

/** Lengths are close: the normal tolerance for the same recording. */
export const CLOSE_LENGTH_MS = 3_000;

/** An exact title (same artist, same version words) may still differ by this much (fades, masters). */
export const MAX_EXACT_TITLE_DELTA_MS = 15_000;

/** Two candidate scores closer than this cannot be told apart. */
export const AMBIGUITY_MARGIN = 1;
