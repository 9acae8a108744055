-- When each branch serves guests (docs/operations.md#service-hours): a time zone and the openings of
-- each weekday, as JSON ({"timeZone": "Europe/Berlin", "days": {"mon": [{"from": "11:30", "to": "23:00"}]}}).
-- NULL: none set; the service alerts then fire at any hour.
ALTER TABLE branches ADD COLUMN service_hours jsonb;
