import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** One job per link (and per output folder): the unit that is paused, resumed, reported. */
export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    link: text('link').notNull(),
    sourceType: text('source_type').notNull(),
    sourceId: text('source_id').notNull(),
    name: text('name').notNull(),
    backend: text('backend').notNull(),
    total: integer('total').notNull(),
    status: text('status').notNull().default('pending'),
    pauseReason: text('pause_reason'),
    optionsJson: text('options_json').notNull(),
    warningsJson: text('warnings_json').notNull().default('[]'),
    /** Resume key: same source + same output options = same job (as tdl keys finished items by a fingerprint). */
    fingerprint: text('fingerprint').notNull(),
    progressChatId: integer('progress_chat_id'),
    progressMessageId: integer('progress_message_id'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
    /**
     * The process running the job right now ("host:pid:start", see src/lock/), null when none:
     * a second process never adopts a job whose owner is still alive.
     */
    owner: text('owner'),
  },
  (t) => [index('jobs_fingerprint').on(t.fingerprint), index('jobs_status').on(t.status)],
);

/** One row per track of a job; `state` is written before each action is taken. */
export const tracks = sqliteTable(
  'tracks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    jobId: integer('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    spotifyId: text('spotify_id'),
    artistsJson: text('artists_json').notNull(),
    title: text('title').notNull(),
    album: text('album'),
    durationMs: integer('duration_ms'),
    isrc: text('isrc'),
    releaseYear: integer('release_year'),
    /** Album facts for tags and the cover (null when the source did not know them). */
    albumArtistsJson: text('album_artists_json'),
    trackNumber: integer('track_number'),
    discNumber: integer('disc_number'),
    releaseDate: text('release_date'),
    coverUrl: text('cover_url'),
    state: text('state').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: integer('next_attempt_at'),
    requestMessageId: integer('request_message_id'),
    menuMessageId: integer('menu_message_id'),
    pickedRow: text('picked_row'),
    fileMessageId: integer('file_message_id'),
    /**
     * Set while an outgoing action (the request, the quality click) is on its way and not yet
     * confirmed by Telegram: the newest chat message id known just before it. Null once confirmed.
     */
    sendingAfterId: integer('sending_after_id'),
    receivedFileJson: text('received_file_json'),
    filePath: text('file_path'),
    quarantinePath: text('quarantine_path'),
    bitDepth: integer('bit_depth'),
    sampleRate: integer('sample_rate'),
    channels: integer('channels'),
    audioDurationMs: integer('audio_duration_ms'),
    sizeBytes: integer('size_bytes'),
    quality: text('quality'),
    rememberedChoice: text('remembered_choice'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('tracks_job_position').on(t.jobId, t.position),
    index('tracks_state').on(t.jobId, t.state),
    index('tracks_spotify_id').on(t.spotifyId),
    index('tracks_isrc').on(t.isrc),
  ],
);

/**
 * Every message, click and inline query sent to the external bot, with its time: the daily budget
 * is counted from here and the pacing proof reads it back.
 */
export const outgoing = sqliteTable(
  'outgoing',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').notNull(),
    sentAt: integer('sent_at').notNull(),
    trackId: integer('track_id'),
    /**
     * 1 from the pacer's grant until the caller says the action is going out (then `sent_at` is
     * restamped and this is 0). Another process waits for a pending grant instead of counting its
     * gap from the grant; the daily budget counts only actions that left (and fresh grants).
     */
    pending: integer('pending').notNull().default(0),
    /** Process id of the granting process (tells our own pending grants from another process's). */
    pid: integer('pid'),
  },
  (t) => [index('outgoing_sent_at').on(t.sentAt)],
);

/** Small durable facts: the FloodWait end time, the Spotify login, the last seen bot message id... */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull().default(sql`(unixepoch() * 1000)`),
});

/** Tags read from FLACs in the library, keyed by path + size + mtime, so `missing` stays fast. */
export const tagCache = sqliteTable('tag_cache', {
  path: text('path').primaryKey(),
  size: integer('size').notNull(),
  mtimeMs: integer('mtime_ms').notNull(),
  tagsJson: text('tags_json').notNull(),
});

/** ISRC / album / year of a Spotify track id, from `GET /v1/tracks/{id}` (cached for good: quota is precious). */
export const spotifyTrackFacts = sqliteTable('spotify_track_facts', {
  spotifyId: text('spotify_id').primaryKey(),
  isrc: text('isrc'),
  album: text('album'),
  releaseYear: integer('release_year'),
  /** Album facts for tags and the cover (null in rows from before they were kept). */
  albumArtistsJson: text('album_artists_json'),
  trackNumber: integer('track_number'),
  discNumber: integer('disc_number'),
  releaseDate: text('release_date'),
  coverUrl: text('cover_url'),
  fetchedAt: integer('fetched_at').notNull(),
});

/**
 * A verification of a track's file under way (written before it starts, deleted when it ends): a row
 * left behind means Crate stopped during it; after too many such attempts the file is quarantined.
 */
export const verifications = sqliteTable('verifications', {
  trackId: integer('track_id')
    .primaryKey()
    .references(() => tracks.id, { onDelete: 'cascade' }),
  file: text('file').notNull(),
  attempts: integer('attempts').notNull(),
  firstStartedAt: integer('first_started_at').notNull(),
  lastStartedAt: integer('last_started_at').notNull(),
});

/** Playlists the owner follows: checked on a schedule, new tracks fetched, removed ones noted (files kept). */
export const watches = sqliteTable(
  'watches',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    link: text('link').notNull(),
    sourceId: text('source_id').notNull(),
    name: text('name').notNull(),
    everyMs: integer('every_ms').notNull(),
    status: text('status').notNull().default('active'),
    /** The job that holds this playlist's tracks (in Spotify's order); synced on every check. */
    jobId: integer('job_id'),
    nextCheckAt: integer('next_check_at').notNull(),
    lastCheckAt: integer('last_check_at'),
    /** Spotify's snapshot_id (owner-readable playlists) or a hash of the listing (public page). */
    lastSnapshot: text('last_snapshot'),
    /** Track keys in Spotify's order at the last check (JSON array). */
    trackKeysJson: text('track_keys_json').notNull().default('[]'),
    /** Tracks that left the playlist: [{key, label, removedAt}] (their files stay). */
    removedJson: text('removed_json').notNull().default('[]'),
    lastResultJson: text('last_result_json'),
    lastError: text('last_error'),
    /** A check whose downloads are still running: told to the owner when its job finishes. */
    pendingNoticeJson: text('pending_notice_json'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('watches_source').on(t.sourceId), index('watches_next').on(t.status, t.nextCheckAt)],
);

/**
 * The external bot's peer per Telegram account (the owner's user id): resolved once, reused on
 * every start. `pending_*` is another account the username resolved to later; it is used only
 * after the owner accepts it.
 */
export const botPeers = sqliteTable('bot_peers', {
  accountId: text('account_id').primaryKey(),
  userId: text('user_id').notNull(),
  accessHash: text('access_hash').notNull(),
  username: text('username').notNull(),
  isBot: integer('is_bot', { mode: 'boolean' }).notNull(),
  resolvedAt: integer('resolved_at').notNull(),
  pendingUserId: text('pending_user_id'),
  pendingAccessHash: text('pending_access_hash'),
  pendingUsername: text('pending_username'),
  pendingIsBot: integer('pending_is_bot', { mode: 'boolean' }),
  pendingResolvedAt: integer('pending_resolved_at'),
});
