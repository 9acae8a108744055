/** Time as the core sees it. Tests inject a controllable clock. */
export interface Clock {
  /** Unix milliseconds. */
  now(): number;
}
