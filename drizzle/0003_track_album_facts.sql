ALTER TABLE `tracks` ADD `album_artists_json` text;--> statement-breakpoint
ALTER TABLE `tracks` ADD `track_number` integer;--> statement-breakpoint
ALTER TABLE `tracks` ADD `disc_number` integer;--> statement-breakpoint
ALTER TABLE `tracks` ADD `release_date` text;--> statement-breakpoint
ALTER TABLE `tracks` ADD `cover_url` text;