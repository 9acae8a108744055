-- Undoes 012_printer_status_reason. Printers keep their status without its reason.
ALTER TABLE printers DROP COLUMN status_reason;
