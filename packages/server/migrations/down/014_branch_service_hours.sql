-- Undoes 014_branch_service_hours. Branches lose their service hours; service alerts fire at any hour.
ALTER TABLE branches DROP COLUMN service_hours;
