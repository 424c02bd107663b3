CREATE TABLE `spotify_track_facts` (
	`spotify_id` text PRIMARY KEY NOT NULL,
	`isrc` text,
	`album` text,
	`release_year` integer,
	`fetched_at` integer NOT NULL
);
