ALTER TABLE `jobs` ADD `owner` text;--> statement-breakpoint
ALTER TABLE `outgoing` ADD `pending` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `outgoing` ADD `pid` integer;