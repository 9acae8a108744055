import { type PreviewOptions, renderPreviewPng, type TicketPreview } from './render-preview.js';

/** One preview to draw, as it is posted to a render thread (structured-clone safe). */
export interface PreviewTask {
  /** The job's ESC/POS bytes, as sent to the printer. */
  bytes: Uint8Array;
  options: PreviewOptions;
}

/** Draws one preview; runs in a worker thread (the `preview` export of the render worker). */
export function previewTask(task: PreviewTask): TicketPreview {
  return renderPreviewPng(task.bytes, task.options);
}
