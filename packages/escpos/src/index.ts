export type { BarcodeSymbology } from './barcode-symbology.js';
export { type CodePage, codePage, codePageForTable, decodeByte, encodeInCodePage } from './code-page.js';
export { decodeEscPos } from './decode-esc-pos.js';
export type { DecodedBarcode, DecodedImage, DecodedLine, DecodedTicket } from './decoded-ticket.js';
export { DEFAULT_PRINTER_PROFILE } from './default-printer-profile.js';
export { documentNeedsRaster } from './document-needs-raster.js';
export {
  type EncodedTicket,
  type EncoderProfile,
  type EncodeTicketOptions,
  encodeBanner,
  encodeTicket,
  encodeTicketWithReport,
} from './encode-ticket.js';
export { EscPosStreamDecoder, type StreamEvent } from './escpos-stream-decoder.js';
export { checkDocumentImages, DEFAULT_IMAGE_LIMITS, type DocumentImageCost, type ImageLimits } from './image-limits.js';
export { MAX_SOURCE_PIXELS } from './png-to-raster.js';
export type { PreviewTask } from './preview-task.js';
export {
  decodeStatusResponse,
  encodeStatusResponse,
  isValidStatusByte,
  type PrinterStatusFlags,
  STATUS_REQUEST,
  type StatusRequestKind,
} from './printer-status.js';
export { type PreviewOptions, renderPaper, renderPreviewPng, type TicketPreview } from './render-preview.js';
export {
  type RenderTicketOutcome,
  type RenderTicketTask,
  renderTicketTask,
  TICKET_RENDER_WORKER_URL,
} from './render-ticket-task.js';
export type { TextAlign, TextSize } from './text-style.js';
export { TicketImageError, type TicketImageProblem } from './ticket-image-error.js';
export type { UnencodableText } from './unencodable-text.js';
