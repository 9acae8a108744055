/**
 * A black-and-white picture, one byte per dot (0 paper, 1 ink), rows top to bottom. What thermal
 * printers put on paper is exactly this, so both the text rasteriser and the paper preview draw on
 * one. One byte per dot rather than packed bits keeps drawing simple; the largest picture this
 * package makes (a preview, bounded by its caller) stays a few megabytes.
 */
export class MonoBitmap {
  readonly width: number;
  #height: number;
  #dots: Uint8Array;

  constructor(width: number, height = 0) {
    this.width = width;
    this.#height = height;
    this.#dots = new Uint8Array(Math.max(1, width * Math.max(height, 16)));
  }

  get height(): number {
    return this.#height;
  }

  /** 1 where there is ink; 0 outside the picture. */
  get(x: number, y: number): number {
    if (x < 0 || y < 0 || x >= this.width || y >= this.#height) return 0;
    return this.#dots[y * this.width + x] ?? 0;
  }

  /** Inks one dot (or clears it with `ink` 0); dots outside the width are dropped, as off the paper. */
  set(x: number, y: number, ink = 1): void {
    if (x < 0 || y < 0 || x >= this.width) return;
    this.growTo(y + 1);
    this.#dots[y * this.width + x] = ink;
  }

  /** Fills a rectangle with ink (or paper with `ink` 0), clipped to the width. */
  fill(x: number, y: number, width: number, height: number, ink = 1): void {
    const x0 = Math.max(0, x);
    const x1 = Math.min(this.width, x + width);
    if (x1 <= x0 || height <= 0 || y < 0) return;
    this.growTo(y + height);
    for (let row = y; row < y + height; row++) this.#dots.fill(ink, row * this.width + x0, row * this.width + x1);
  }

  /** Draws `source` with its top left corner at (x, y): its ink is added, its paper leaves ours as it was. */
  draw(source: MonoBitmap, x: number, y: number): void {
    for (let row = 0; row < source.height; row++) {
      for (let col = 0; col < source.width; col++) {
        if (source.get(col, row) === 1) this.set(x + col, y + row);
      }
    }
  }

  /** Makes the picture at least `height` rows tall (new rows are paper). */
  growTo(height: number): void {
    if (height <= this.#height) return;
    const needed = height * this.width;
    if (needed > this.#dots.length) {
      const grown = new Uint8Array(Math.max(needed, this.#dots.length * 2));
      grown.set(this.#dots);
      this.#dots = grown;
    }
    this.#height = height;
  }

  /**
   * The picture as `GS v 0` raster data: rows of `ceil(width / 8)` bytes, most significant bit
   * leftmost, 1 for ink.
   */
  toRaster(): { bytesPerRow: number; heightDots: number; data: Uint8Array } {
    const bytesPerRow = Math.ceil(this.width / 8);
    const data = new Uint8Array(bytesPerRow * this.#height);
    for (let y = 0; y < this.#height; y++) {
      for (let x = 0; x < this.width; x++) {
        if (this.#dots[y * this.width + x] === 1) {
          const index = y * bytesPerRow + (x >> 3);
          data[index] = (data[index] ?? 0) | (0x80 >> (x & 7));
        }
      }
    }
    return { bytesPerRow, heightDots: this.#height, data };
  }
}
