-- Undoes 003_printer_count_view.
DROP VIEW "Printer";
