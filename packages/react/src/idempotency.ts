/**
 * A fresh idempotency key: one per payout intent, reused for every retry of that intent. 128
 * random bits as hex, from `getRandomValues` (unlike `randomUUID`, it works on plain http too).
 */
export const createIdempotencyKey = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('')
