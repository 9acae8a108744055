import type { TicketBlock } from '@printermaster/protocol';
import { escPosCommand } from './escpos-command.js';
import type { EscPosWriter } from './escpos-writer.js';

/** Bytes a QR code (model 2, version 40) holds in byte mode at error correction M, the level sent. */
export const MAX_QR_BYTES = 2_331;
const DEFAULT_QR_MODULE_SIZE = 6;

/**
 * Writes a QR block: model 2, the module size, error correction M, then the data stored and printed.
 * @throws RangeError when the data is more than a QR code holds (a printer would print nothing).
 */
export function writeQrBlock(writer: EscPosWriter, block: Extract<TicketBlock, { type: 'qr' }>): void {
  const data = new TextEncoder().encode(block.data);
  if (data.length > MAX_QR_BYTES) {
    throw new RangeError(
      `qr data is ${data.length} bytes of UTF-8; a QR code at error correction M holds at most ${MAX_QR_BYTES}`,
    );
  }
  writer.setStyle({ align: block.align ?? 'center' });
  writer.command(escPosCommand.qrModel2());
  writer.command(escPosCommand.qrModuleSize(block.size ?? DEFAULT_QR_MODULE_SIZE));
  writer.command(escPosCommand.qrErrorCorrectionM());
  writer.command(escPosCommand.qrStore(data));
  writer.command(escPosCommand.qrPrint());
}
