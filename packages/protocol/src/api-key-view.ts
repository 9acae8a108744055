import { type Static, Type } from '@sinclair/typebox';
import { ROLES } from './roles.js';

/** An API key as `/admin/api-keys` shows it: never the key itself (shown once, when created). Times ISO 8601. */
export const ApiKeyViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.Union(ROLES.map((r) => Type.Literal(r))),
  prefix: Type.String({ description: 'The visible start of the key' }),
  /** null: a platform key (super admin), not tied to a company. */
  companyId: Type.Union([Type.String(), Type.Null()]),
  /** null: every branch of the company. */
  branchId: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]),
  /** null: never expires. */
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Type.String(),
});
export type ApiKeyView = Static<typeof ApiKeyViewSchema>;
