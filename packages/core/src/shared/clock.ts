/** Tells the time. Injected so that tests and imports can pin it. */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol.for("anycloud.Clock");

export const systemClock: Clock = { now: () => new Date() };
