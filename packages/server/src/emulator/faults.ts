/**
 * @module
 * API faults on demand: added latency, requests that never answer, forced 429s and 5xx answers,
 * read live from `world.faults[vendor]` and rolled with `world.random`, so the same seed and the
 * same settings fail the same requests.
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { EmulatorWorld, Vendor } from './world'

export type InjectedFault = 'rate_limited' | 'unavailable' | 'timed_out'

/** The faults one `applyFaults` middleware injects, in the order it rolls them. */
export type FaultKind = 'latency' | 'timeout' | 'rate_limit' | 'error'

export interface ApplyFaultsOptions {
  /**
   * Builds the vendor-shaped answer for a fault. The defaults are Persona's
   * `{errors:[{title}]}` and Coinflow's `{details}`.
   */
  respond?: (fault: Exclude<InjectedFault, 'timed_out'>, c: Context) => Response | Promise<Response>
  /**
   * Aborted when the emulator closes, so hanging requests end instead of keeping a process (or a
   * test) alive. A hanging request also ends when its own client aborts.
   */
  closed?: AbortSignal
  /**
   * Which faults this middleware injects; all by default. Persona mounts two, so that an injected
   * 5xx happens behind its idempotency layer (stored and replayed, as its 500s are) while a
   * timeout or 429 happens in front of it.
   */
  only?: readonly FaultKind[]
}

const defaultResponders: Record<Vendor, NonNullable<ApplyFaultsOptions['respond']>> = {
  persona: (fault, c) =>
    fault === 'rate_limited'
      ? c.json(
          { errors: [{ title: 'Rate limit exceeded', details: 'Injected by the emulator.' }] },
          429,
        )
      : c.json({ errors: [{ title: 'Service unavailable' }] }, 503),
  // Coinflow documents its limiters' windows but no rate-limit header names; Retry-After is the
  // standard one, and the BFF honours it. One second: an injected 429 is a refusal, not a spent
  // one-minute window.
  coinflow: (fault, c) =>
    fault === 'rate_limited'
      ? c.json({ details: 'Too Many Requests' }, 429, { 'Retry-After': '1' })
      : c.json({ details: 'Service temporarily unavailable, please retry' }, 503),
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Resolves when either signal aborts; never otherwise. The listener comes off every signal once
 * one fires, so the emulator's long-lived `closed` signal does not collect one per hung request.
 */
function hang(signals: Array<AbortSignal | undefined>): Promise<void> {
  return new Promise((resolve) => {
    const live = signals.filter((signal): signal is AbortSignal => signal !== undefined)
    if (live.some((signal) => signal.aborted)) return resolve()
    const done = () => {
      for (const signal of live) signal.removeEventListener('abort', done)
      resolve()
    }
    for (const signal of live) signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * Hono middleware injecting `world.faults[vendor]`. Mount it after authentication and before the
 * routes. Each rate in the settings draws one random number only when it is above zero.
 */
export function applyFaults(
  world: EmulatorWorld,
  vendor: Vendor,
  { respond = defaultResponders[vendor], closed, only }: ApplyFaultsOptions = {},
): MiddlewareHandler {
  const injects = (kind: FaultKind) => !only || only.includes(kind)
  return async function emulatorFaults(c, next) {
    const settings = world.faults[vendor]
    const roll = (kind: FaultKind, rate: number) =>
      injects(kind) && rate > 0 && world.random() < rate
    if (injects('latency') && settings.latencyMs > 0) await sleep(settings.latencyMs)
    if (roll('timeout', settings.timeoutRate)) {
      await hang([c.req.raw.signal, closed])
      // Nobody is listening any more; answer as a gateway would, for the record.
      return c.json(
        vendor === 'persona'
          ? { errors: [{ title: 'Request Timeout' }] }
          : { details: 'Gateway Timeout' },
        504,
      )
    }
    if (roll('rate_limit', settings.rateLimitRate)) return respond('rate_limited', c)
    if (roll('error', settings.errorRate)) return respond('unavailable', c)
    return next()
  }
}
