CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`link` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` text NOT NULL,
	`name` text NOT NULL,
	`backend` text NOT NULL,
	`total` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`pause_reason` text,
	`options_json` text NOT NULL,
	`warnings_json` text DEFAULT '[]' NOT NULL,
	`fingerprint` text NOT NULL,
	`progress_chat_id` integer,
	`progress_message_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `jobs_fingerprint` ON `jobs` (`fingerprint`);--> statement-breakpoint
CREATE INDEX `jobs_status` ON `jobs` (`status`);--> statement-breakpoint
CREATE TABLE `outgoing` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`sent_at` integer NOT NULL,
	`track_id` integer
);
--> statement-breakpoint
CREATE INDEX `outgoing_sent_at` ON `outgoing` (`sent_at`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tag_cache` (
	`path` text PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`mtime_ms` integer NOT NULL,
	`tags_json` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tracks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` integer NOT NULL,
	`position` integer NOT NULL,
	`spotify_id` text,
	`artists_json` text NOT NULL,
	`title` text NOT NULL,
	`album` text,
	`duration_ms` integer,
	`isrc` text,
	`release_year` integer,
	`state` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`next_attempt_at` integer,
	`request_message_id` integer,
	`menu_message_id` integer,
	`picked_row` text,
	`file_message_id` integer,
	`sending_after_id` integer,
	`received_file_json` text,
	`file_path` text,
	`quarantine_path` text,
	`bit_depth` integer,
	`sample_rate` integer,
	`channels` integer,
	`audio_duration_ms` integer,
	`size_bytes` integer,
	`quality` text,
	`remembered_choice` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tracks_job_position` ON `tracks` (`job_id`,`position`);--> statement-breakpoint
CREATE INDEX `tracks_state` ON `tracks` (`job_id`,`state`);--> statement-breakpoint
CREATE INDEX `tracks_spotify_id` ON `tracks` (`spotify_id`);--> statement-breakpoint
CREATE INDEX `tracks_isrc` ON `tracks` (`isrc`);