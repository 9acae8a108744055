-- The last end-to-end canary of each printer (docs/operations.md, Canaries): when it ended, whether
-- the printer answered ready, how long the answer took (ms; NULL when none came) and why it failed.
-- Kept on the printer's row, so every gateway process and the dashboard see it; written without
-- touching updated_at, which stays the time of the last change to the printer itself.
ALTER TABLE printers ADD COLUMN canary_at timestamptz;
ALTER TABLE printers ADD COLUMN canary_ok boolean;
ALTER TABLE printers ADD COLUMN canary_ms integer;
ALTER TABLE printers ADD COLUMN canary_reason text;
