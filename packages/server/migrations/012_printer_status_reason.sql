-- Why a printer is in its status, as its agent reported it (paper_out, cover_open, paper_near_end…);
-- NULL for a ready printer or an agent that says nothing more than the status.
ALTER TABLE printers ADD COLUMN status_reason text;
