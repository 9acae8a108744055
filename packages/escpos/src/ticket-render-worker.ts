// Loaded by a worker pool in a worker thread: decoding and rastering images, drawing text in the
// pixel font and drawing previews take CPU that must not run on the gateway's event loop.
import { previewTask } from './preview-task.js';
import { renderTicketTask } from './render-ticket-task.js';

export default renderTicketTask;
/** Run by name (`pool.run(task, { name: 'preview' })`). */
export const preview = previewTask;
