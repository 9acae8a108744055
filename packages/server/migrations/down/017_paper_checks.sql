-- Undoes 017_paper_checks. Printed slips can no longer be confirmed.
DROP TABLE paper_checks;
