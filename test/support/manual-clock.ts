import type { Clock } from '../../lib/ports/index.js';

/** A clock the test moves by hand: cooldown and backoff windows pass in microseconds. */
export class ManualClock implements Clock {
  private current: Date;

  constructor(start = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  advanceSeconds(seconds: number): Date {
    this.current = new Date(this.current.getTime() + seconds * 1000);
    return this.now();
  }

  set(at: Date): void {
    this.current = new Date(at);
  }
}
