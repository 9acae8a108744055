-- Undoes 020_job_list_indexes.
DROP INDEX print_jobs_printer_list_idx;
DROP INDEX print_jobs_created_idx;
DROP INDEX print_jobs_open_list_idx;
