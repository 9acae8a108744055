/** Refused start: the message says what to do. */
export class StartupError extends Error {}
