/** The only source of "now" in the engine; tests pass a clock they drive. */
export interface Clock {
  now(): Date;
}
