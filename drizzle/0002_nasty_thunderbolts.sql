CREATE TABLE `verifications` (
	`track_id` integer PRIMARY KEY NOT NULL,
	`file` text NOT NULL,
	`attempts` integer NOT NULL,
	`first_started_at` integer NOT NULL,
	`last_started_at` integer NOT NULL,
	FOREIGN KEY (`track_id`) REFERENCES `tracks`(`id`) ON UPDATE no action ON DELETE cascade
);
