-- Undoes 011_printer_profile. Printers go back to the default profile for their paper width.
ALTER TABLE printers DROP COLUMN profile;
