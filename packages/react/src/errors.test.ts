import { afterEach, describe, expect, it, vi } from 'vitest'
import { retryDelayMs, ShareflowError } from './errors'

const unavailable = (retryAfterSeconds?: number) =>
  new ShareflowError({
    code: 'upstream_unavailable',
    status: 503,
    message: 'Many people are verifying right now.',
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  })

describe('retryDelayMs', () => {
  afterEach(() => vi.restoreAllMocks())

  it('waits the Retry-After the BFF gave, plus up to a fifth more so a crowd spreads out', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    expect(retryDelayMs(1, unavailable(40))).toBe(40_000)
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    expect(retryDelayMs(5, unavailable(40))).toBe(44_000)
  })

  it('backs off exponentially from a second when the BFF gave no time', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    expect(retryDelayMs(1, unavailable())).toBe(1_000)
    expect(retryDelayMs(3, unavailable())).toBe(4_000)
    expect(retryDelayMs(2, new Error('network'))).toBe(2_000)
  })
})
