ALTER TABLE `spotify_track_facts` ADD `album_artists_json` text;--> statement-breakpoint
ALTER TABLE `spotify_track_facts` ADD `track_number` integer;--> statement-breakpoint
ALTER TABLE `spotify_track_facts` ADD `disc_number` integer;--> statement-breakpoint
ALTER TABLE `spotify_track_facts` ADD `release_date` text;--> statement-breakpoint
ALTER TABLE `spotify_track_facts` ADD `cover_url` text;