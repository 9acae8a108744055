-- A printer's status history (GET /printing/printers/:id/status-history) reads its
-- `printer.status_changed` events, newest first: a small index of those events only.
CREATE INDEX events_printer_status_idx ON events (subject_id, id DESC) WHERE type = 'printer.status_changed';
