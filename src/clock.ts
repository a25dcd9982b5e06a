import { DateTime } from 'luxon';

/**
 * The app's sense of "now". APP_NOW pins it (explore the 2020 semester as of any date);
 * otherwise it is the real time. Domain code asks the clock, never `new Date()`.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(instant: string | Date): Clock {
  const at = typeof instant === 'string' ? DateTime.fromISO(instant, { setZone: true }).toJSDate() : instant;
  if (Number.isNaN(at.getTime())) throw new Error(`Not an instant: ${String(instant)}`);
  return { now: () => new Date(at.getTime()) };
}

/** A clock tests can move. */
export class SettableClock implements Clock {
  private at: Date;
  constructor(instant: string | Date) {
    this.at = fixedClock(instant).now();
  }
  now(): Date {
    return new Date(this.at.getTime());
  }
  set(instant: string | Date): void {
    this.at = fixedClock(instant).now();
  }
}

export function clockFromConfig(appNow: string | undefined): Clock {
  return appNow ? fixedClock(appNow) : systemClock;
}
