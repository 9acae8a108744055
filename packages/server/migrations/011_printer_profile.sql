-- What each printer can print (issue 18): paper width in dots, its code pages, raster. NULL means
-- the default profile for its paper width (an Epson TM-T20/TM-T88-class printer).
ALTER TABLE printers ADD COLUMN profile jsonb;
