import { type Static, Type } from '@sinclair/typebox';
import { ROLES } from './roles.js';

/** `GET /auth/web/me` (and the login-link exchange): who the dashboard's session cookie signs in. */
export const WebSessionSchema = Type.Object({
  success: Type.Boolean(),
  user: Type.Object({
    userId: Type.String(),
    role: Type.Union(ROLES.map((r) => Type.Literal(r))),
    email: Type.Optional(Type.String()),
    /** Absent for a super admin (every company). */
    companyId: Type.Optional(Type.String()),
    /** Present for a branch manager or cashier: the one branch they see. */
    branchId: Type.Optional(Type.String()),
  }),
  /** ISO 8601: when the access cookie's token expires; the page refreshes a little before. */
  expiresAt: Type.Optional(Type.String()),
});
export type WebSession = Static<typeof WebSessionSchema>;
