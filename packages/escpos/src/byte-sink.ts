/**
 * An append-only byte buffer that grows geometrically, so building a ticket or
 * collecting a stream is linear in its size.
 */
export class ByteSink {
  #buffer: Uint8Array;
  #length = 0;

  constructor(initialCapacity = 256) {
    this.#buffer = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends bytes (each value is truncated to 0–255 by the typed array). */
  push(bytes: ArrayLike<number>): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** A copy of the bytes written so far; later writes do not affect it. */
  toUint8Array(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  /** Forgets the content but keeps the allocated capacity. */
  clear(): void {
    this.#length = 0;
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.length) return;
    let capacity = this.#buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }
}
