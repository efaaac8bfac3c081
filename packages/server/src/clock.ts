/** Milliseconds since the epoch. The BFF reads time only through this, so tests can move it. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** Resolves after `ms` of real time; upstream retries and the rate budget wait with it. */
export type Sleep = (ms: number) => Promise<void>

export const realSleep: Sleep = (ms) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

/** ISO-8601 with milliseconds and `Z`, the only timestamp format on the BFF's wire. */
export const isoAt = (ms: number): string => new Date(ms).toISOString()
