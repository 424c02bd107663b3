CREATE TABLE `watches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`link` text NOT NULL,
	`source_id` text NOT NULL,
	`name` text NOT NULL,
	`every_ms` integer NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`job_id` integer,
	`next_check_at` integer NOT NULL,
	`last_check_at` integer,
	`last_snapshot` text,
	`track_keys_json` text DEFAULT '[]' NOT NULL,
	`removed_json` text DEFAULT '[]' NOT NULL,
	`last_result_json` text,
	`last_error` text,
	`pending_notice_json` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `watches_source` ON `watches` (`source_id`);--> statement-breakpoint
CREATE INDEX `watches_next` ON `watches` (`status`,`next_check_at`);