-- Undoes 004_licence_change_notice: gateways of the release before keep no licences in memory.
DROP TRIGGER licences_truncated ON licenses;
DROP TRIGGER licences_changed ON licenses;
DROP FUNCTION printermaster_licence_changed();
