CREATE TABLE `bot_peers` (
	`account_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`access_hash` text NOT NULL,
	`username` text NOT NULL,
	`is_bot` integer NOT NULL,
	`resolved_at` integer NOT NULL,
	`pending_user_id` text,
	`pending_access_hash` text,
	`pending_username` text,
	`pending_is_bot` integer,
	`pending_resolved_at` integer
);
