-- Undoes 023_stations_without_deleted_printers: nothing to undo (the ids it took out named printers
-- that no longer exist, and no earlier release needs them back).
SELECT 1;
