-- Undoes 019_printer_status_history.
DROP INDEX events_printer_status_idx;
