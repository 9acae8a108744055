/**
 * Why an image of a ticket document was refused:
 * - `invalid`: not a complete, decodable PNG;
 * - `image-too-large`: one image is over the per-image pixel or byte limit;
 * - `images-too-large`: the document's images together are over the per-document limits.
 */
export type TicketImageProblem = 'invalid' | 'image-too-large' | 'images-too-large';

/**
 * An image the encoder will not print. A `RangeError`, like every refusal of the encoder, so callers
 * that treat any `RangeError` as bad input keep working; `problem` and `details` say which limit.
 */
export class TicketImageError extends RangeError {
  override readonly name = 'TicketImageError';

  constructor(
    readonly problem: TicketImageProblem,
    message: string,
    /** Facts for the client: `blockIndex`, `width`, `height`, `pixels`, `bytes` and the limit exceeded. */
    readonly details: Readonly<Record<string, number>> = {},
  ) {
    super(message);
  }
}
