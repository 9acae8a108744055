import type { StoredTicket } from './stored-ticket.js';

interface TicketWaiter {
  count: number;
  resolve: (tickets: StoredTicket[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** What the waiters read from their printer. */
export interface TicketWaitersDeps {
  /** Tickets printed since start or the last clear: what a waiter's `count` is compared with. */
  printedCount(): number;
  /** What a satisfied waiter resolves with (a fresh array each call). */
  result(): StoredTicket[];
}

/** The pending `waitForTickets` calls of a virtual printer. */
export class TicketWaiters {
  readonly #deps: TicketWaitersDeps;
  #waiters: TicketWaiter[] = [];

  constructor(deps: TicketWaitersDeps) {
    this.#deps = deps;
  }

  /**
   * Resolves with `result()` once `printedCount()` reaches `count` (at once if it already has); rejects
   * after `timeoutMs` milliseconds with a message saying how many arrived.
   */
  wait(count: number, timeoutMs: number): Promise<StoredTicket[]> {
    if (this.#deps.printedCount() >= count) return Promise.resolve(this.#deps.result());
    return new Promise((resolve, reject) => {
      const waiter: TicketWaiter = {
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(new Error(`waited ${timeoutMs} ms for ${count} tickets, ${this.#deps.printedCount()} printed`));
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** A ticket was printed: resolves the waiters whose count has been reached. */
  settle(): void {
    if (this.#waiters.length === 0) return;
    const printed = this.#deps.printedCount();
    const ready = this.#waiters.filter((waiter) => printed >= waiter.count);
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((waiter) => printed < waiter.count);
    const result = this.#deps.result();
    for (const waiter of ready) {
      clearTimeout(waiter.timer);
      waiter.resolve(result.slice());
    }
  }

  /** The printer closed: rejects every waiter. */
  rejectAll(): void {
    const printed = this.#deps.printedCount();
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`virtual printer closed; ${printed} of ${waiter.count} tickets printed`));
    }
    this.#waiters = [];
  }
}
