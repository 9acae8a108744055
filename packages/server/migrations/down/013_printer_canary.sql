-- Undoes 013_printer_canary. Printers lose their last canary; canaries start over on the next round.
ALTER TABLE printers DROP COLUMN canary_reason;
ALTER TABLE printers DROP COLUMN canary_ms;
ALTER TABLE printers DROP COLUMN canary_ok;
ALTER TABLE printers DROP COLUMN canary_at;
