-- Undoes 016_stations. Jobs keep the printer they were last given; stations are gone.
DROP INDEX print_jobs_moved_from_idx;
ALTER TABLE print_jobs DROP COLUMN moved_from;
ALTER TABLE print_jobs DROP COLUMN station_id;
DROP TABLE stations;
