/**
 * The OpenAPI `security` of every route a web user or a machine calls: a JWT or an API key
 * (`pm_…`) as a bearer token, or an API key in `X-API-Key` (docs/credentials.md). Either one
 * suffices, hence two entries.
 */
export const USER_SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKeyAuth: [] }];
