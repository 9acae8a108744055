// Loaded by a worker pool in a worker thread: decoding and rastering images takes seconds of CPU
// that must not run on the gateway's event loop.
import { renderTicketTask } from './render-ticket-task.js';

export default renderTicketTask;
