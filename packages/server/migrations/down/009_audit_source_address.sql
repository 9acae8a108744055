-- Undoes 009_audit_source_address. The addresses recorded since are lost.
ALTER TABLE audit_log DROP COLUMN source_address;
