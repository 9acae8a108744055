/** Room names of the printing namespace. Only web clients join rooms; agents are reached through the agent link. */
export const rooms = {
  branch: (branchId: string) => `branch:${branchId}`,
  company: (companyId: string) => `company:${companyId}`,
  superAdmin: 'super_admin',
  branchAdmins: (branchId: string) => `admins:branch:${branchId}`,
  companyAdmins: (companyId: string) => `admins:company:${companyId}`,
} as const;
