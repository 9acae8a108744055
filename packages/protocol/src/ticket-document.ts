import { type Static, Type } from '@sinclair/typebox';

/** Paper widths the encoder lays out for, in millimetres (32 and 48 characters per line in font A). */
export const PAPER_WIDTHS = [58, 80] as const;
export type PaperWidth = (typeof PAPER_WIDTHS)[number];

const Align = Type.Union([Type.Literal('left'), Type.Literal('center'), Type.Literal('right')]);

/**
 * Character size. `double` is double width and double height. Double width halves
 * the characters per line.
 */
const Size = Type.Union([
  Type.Literal('normal'),
  Type.Literal('double-width'),
  Type.Literal('double-height'),
  Type.Literal('double'),
]);

const Text = Type.Object(
  {
    type: Type.Literal('text'),
    /** One or more lines; `\n` breaks lines, long lines wrap at the paper width. */
    text: Type.String({ maxLength: 4096 }),
    bold: Type.Optional(Type.Boolean()),
    underline: Type.Optional(Type.Boolean()),
    /** White on black. */
    invert: Type.Optional(Type.Boolean()),
    align: Type.Optional(Align),
    size: Type.Optional(Size),
  },
  { additionalProperties: false },
);

const Columns = Type.Object(
  {
    type: Type.Literal('columns'),
    /** Left-aligned text, truncated if both sides do not fit on one line. */
    left: Type.String({ maxLength: 256 }),
    /** Right-aligned text (a price, a quantity), never truncated. */
    right: Type.String({ maxLength: 64 }),
    bold: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Separator = Type.Object(
  {
    type: Type.Literal('separator'),
    /** The character repeated across the line; default `-`. */
    char: Type.Optional(Type.String({ minLength: 1, maxLength: 1 })),
  },
  { additionalProperties: false },
);

const Barcode = Type.Object(
  {
    type: Type.Literal('barcode'),
    data: Type.String({ minLength: 1, maxLength: 64 }),
    /** Default `code128`. EAN-13 takes 12 or 13 digits. */
    symbology: Type.Optional(
      Type.Union([Type.Literal('code128'), Type.Literal('code39'), Type.Literal('ean13'), Type.Literal('upca')]),
    ),
    /** Bar height in dots (1–255), default 80. */
    height: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })),
    /** Print the human-readable text under the bars; default true. */
    hri: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Qr = Type.Object(
  {
    type: Type.Literal('qr'),
    data: Type.String({ minLength: 1, maxLength: 1024 }),
    /** Module size in dots (1–16), default 6. */
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
    align: Type.Optional(Align),
  },
  { additionalProperties: false },
);

const Image = Type.Object(
  {
    type: Type.Literal('image'),
    /**
     * A PNG image, base64; printed as a monochrome raster (threshold at 50 % luminance), at most 576 dots
     * wide. The gateway limits each image's pixels and bytes and their sums over the document, read from
     * the PNG header before decoding (413 IMAGE_TOO_LARGE, JOB_IMAGES_TOO_LARGE; 400 IMAGE_INVALID).
     */
    png: Type.String({ minLength: 1, maxLength: 1_000_000, contentEncoding: 'base64' }),
    align: Type.Optional(Align),
  },
  { additionalProperties: false },
);

const Feed = Type.Object(
  {
    type: Type.Literal('feed'),
    /** Blank lines to feed, 1–10. */
    lines: Type.Integer({ minimum: 1, maximum: 10 }),
  },
  { additionalProperties: false },
);

const Cut = Type.Object(
  {
    type: Type.Literal('cut'),
    /** Partial cut (one point left uncut); default full cut. */
    partial: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Drawer = Type.Object(
  {
    type: Type.Literal('drawer'),
    /** Connector pin 2 (default) or 5. */
    pin: Type.Optional(Type.Union([Type.Literal(2), Type.Literal(5)])),
  },
  { additionalProperties: false },
);

export const TicketBlockSchema = Type.Union([Text, Columns, Separator, Barcode, Qr, Image, Feed, Cut, Drawer]);
export type TicketBlock = Static<typeof TicketBlockSchema>;

/**
 * A ticket described as content, rendered to ESC/POS by `@printermaster/escpos`.
 * A ticket that does not end with a `cut` block gets one (after a short feed).
 */
export const TicketDocumentSchema = Type.Object(
  {
    /** Paper width in mm; default 80. */
    paperWidth: Type.Optional(Type.Union([Type.Literal(58), Type.Literal(80)])),
    blocks: Type.Array(TicketBlockSchema, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false, $id: 'TicketDocument' },
);
export type TicketDocument = Static<typeof TicketDocumentSchema>;
