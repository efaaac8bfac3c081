import { describe, expect, it } from 'vitest'
import { createManualClock } from '../emulator'
import { createCircuitBreaker, type Admission } from './breaker'

const allowed = (admission: Admission) => {
  if (!admission.allowed) throw new Error(`refused for ${admission.retryAfterMs} ms`)
  return admission
}

describe('createCircuitBreaker', () => {
  it('opens after the threshold of failures in a row, and refuses with the time left', () => {
    const clock = createManualClock()
    const breaker = createCircuitBreaker({ failureThreshold: 3, openMs: 10_000 }, clock)
    breaker.settle(allowed(breaker.admit()), 'failure')
    breaker.settle(allowed(breaker.admit()), 'failure')
    // A success in between starts the count again.
    breaker.settle(allowed(breaker.admit()), 'success')
    for (let i = 0; i < 3; i++) breaker.settle(allowed(breaker.admit()), 'failure')
    expect(breaker.state()).toBe('open')
    clock.advance(4_000)
    expect(breaker.admit()).toEqual({ allowed: false, retryAfterMs: 6_000 })
  })

  it('lets one probe out once open long enough: its success closes, its failure reopens', () => {
    const clock = createManualClock()
    const breaker = createCircuitBreaker({ failureThreshold: 1, openMs: 1_000 }, clock)
    breaker.settle(allowed(breaker.admit()), 'failure')
    clock.advance(1_000)
    const probe = allowed(breaker.admit())
    expect(probe.probe).toBe(true)
    expect(breaker.state()).toBe('half_open')
    // Only one: everyone else is still told to come back.
    expect(breaker.admit().allowed).toBe(false)
    breaker.settle(probe, 'failure')
    expect(breaker.state()).toBe('open')
    expect(breaker.admit()).toEqual({ allowed: false, retryAfterMs: 1_000 })

    clock.advance(1_000)
    breaker.settle(allowed(breaker.admit()), 'success')
    expect(breaker.state()).toBe('closed')
    expect(breaker.admit()).toEqual({ allowed: true, probe: false })
  })

  it('frees the probe when it was never sent (neutral), so the next call probes', () => {
    const clock = createManualClock()
    const breaker = createCircuitBreaker({ failureThreshold: 1, openMs: 1_000 }, clock)
    breaker.settle(allowed(breaker.admit()), 'failure')
    clock.advance(1_000)
    breaker.settle(allowed(breaker.admit()), 'neutral')
    expect(allowed(breaker.admit()).probe).toBe(true)
  })

  it('refuses settings that are not positive', () => {
    const clock = createManualClock()
    expect(() => createCircuitBreaker({ failureThreshold: 0 }, clock)).toThrow(RangeError)
    expect(() => createCircuitBreaker({ openMs: -1 }, clock)).toThrow(RangeError)
  })
})
