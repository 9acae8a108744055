-- Undoes 018_agent_leases. Every agent of a branch may print again, as before.
DROP TABLE agent_leases;
