/** One webhook request: POST `body` (JSON text) to `url` with `headers`. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What came of one request. Never throws for anything the receiver or the network did. */
export interface WebhookResponse {
  /** The answer's HTTP status; null when none came. */
  statusCode: number | null;
  /** From the start of the request to the end of the part of the answer that was read, ms. */
  latencyMs: number;
  /** Why there was no answer: `timeout`, `refused: <reason>` (SSRF guard), a connection error; null otherwise. */
  error: string | null;
  /** The start of the answer's body as text (at most a few KB are read); null when there was none. */
  responseSnippet: string | null;
}

/**
 * Sends webhook requests. The implementation refuses private and internal targets (unless
 * configured to allow them) at the moment of connecting, to the address it checked, so that a
 * host that resolves differently later cannot get around the check; it follows no redirects,
 * gives up after its timeout, and reads at most a few KB of the answer.
 */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
}

/**
 * Checks a URL a user registers: http or https, no credentials, and a host that neither is nor
 * resolves to a private or internal address (unless configured to allow them). Throws
 * `WEBHOOK_URL_REFUSED` with `details.reason`; returns the URL as normalized (WHATWG).
 */
export interface WebhookUrlChecker {
  check(url: string): Promise<string>;
}
