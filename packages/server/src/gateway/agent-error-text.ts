/** Longest error text kept from an agent's report, characters. */
const MAX_ERROR_TEXT = 2048;

/**
 * The text of an error an agent reported: a string, an object's `message`, or the value as
 * JSON; at most 2048 characters, since it is stored as the job's reason or logged.
 */
export function agentErrorText(error: unknown): string {
  if (typeof error === 'string') return error.slice(0, MAX_ERROR_TEXT);
  if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message.slice(0, MAX_ERROR_TEXT);
  }
  return error === undefined ? 'the agent reported a failure' : JSON.stringify(error).slice(0, MAX_ERROR_TEXT);
}
