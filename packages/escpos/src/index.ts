export type { BarcodeSymbology } from './barcode-symbology.js';
export { decodeEscPos } from './decode-esc-pos.js';
export type { DecodedBarcode, DecodedImage, DecodedLine, DecodedTicket } from './decoded-ticket.js';
export { type EncodeTicketOptions, encodeBanner, encodeTicket } from './encode-ticket.js';
export { EscPosStreamDecoder, type StreamEvent } from './escpos-stream-decoder.js';
export {
  decodeStatusResponse,
  encodeStatusResponse,
  isValidStatusByte,
  type PrinterStatusFlags,
  STATUS_REQUEST,
  type StatusRequestKind,
} from './printer-status.js';
export type { TextAlign, TextSize } from './text-style.js';
