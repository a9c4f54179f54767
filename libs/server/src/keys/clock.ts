/** The time in epoch milliseconds; injectable so specs can move it. */
export type Clock = () => number;

/** Optional provider of a Clock for the key schedule; `Date.now` when absent. */
export const KEYS_CLOCK = Symbol('KEYS_CLOCK');

export const systemClock: Clock = () => Date.now();
