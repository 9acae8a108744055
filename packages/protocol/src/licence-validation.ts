import { type Static, Type } from '@sinclair/typebox';
import { WireIdSchema } from './wire-values.js';

/**
 * What a client relies on in the 2xx answer of `POST /api/v1/printer-licenses/validate`
 * (docs/protocol.md#legacy-desktop-clients): the branch its socket handshake names. The answer carries more
 * (`licenseKey`, `companyId`, `deviceInfo` …), which this schema lets through unchecked.
 */
export const LicenceValidationReplySchema = Type.Object({
  data: Type.Object({
    branchId: WireIdSchema,
    branchName: Type.Optional(Type.String()),
  }),
});
export type LicenceValidationReply = Static<typeof LicenceValidationReplySchema>;
