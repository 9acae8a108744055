/** Room names of the printing namespace. Agents are also in `AGENTS_ROOM` so web broadcasts can skip them. */
export const rooms = {
  branch: (branchId: string) => `branch:${branchId}`,
  company: (companyId: string) => `company:${companyId}`,
  agent: (deviceId: string) => `agent:${deviceId}`,
  agents: 'agents',
  superAdmin: 'super_admin',
  branchAdmins: (branchId: string) => `admins:branch:${branchId}`,
  companyAdmins: (companyId: string) => `admins:company:${companyId}`,
} as const;
