import { describe, expect, it } from 'vitest'
import type { MemorySample, SoakReport } from './soak'
import { DURABLE_KB_PER_PAYOUT, heapTrend, memoryVerdict } from './soak-cli'

/** A report of a 180 s run sampled every 10 s from 15 s, with heap = f(seconds, payouts). */
function report(
  heapMb: (atSeconds: number, payouts: number) => number,
  overrides: Partial<SoakReport> = {},
): SoakReport {
  const samples: MemorySample[] = []
  for (let atSeconds = 15; atSeconds <= 185; atSeconds += 10) {
    const payouts = Math.min(atSeconds, 180) * 20
    samples.push({
      atSeconds,
      heapMb: heapMb(atSeconds, payouts),
      rssMb: 150,
      payouts,
      webhooksWaiting: 0,
      storeKeys: payouts * 6,
    })
  }
  return {
    durationMs: 180_000,
    memory: { heapBeforeMb: 13, samples, heapAtEndMb: 22, rssBeforeMb: 100, rssAtEndMb: 140 },
    pendingRequests: [],
    ...overrides,
  } as SoakReport
}

/** A heap of 30 MB plus what each payout durably keeps. */
const durableOnly = (_: number, payouts: number) => 30 + (payouts * DURABLE_KB_PER_PAYOUT) / 1024

describe('the soak memory verdict', () => {
  it('passes a heap that grows only by the durable records its payouts leave', () => {
    const flat = report((at, payouts) => durableOnly(at, payouts) + (at % 20 === 5 ? 2 : -2))
    expect(memoryVerdict(flat)).toEqual([])
    expect(heapTrend(flat)).toMatchObject({ kbPerPayout: expect.closeTo(6, 0) })
  })

  it('fails a heap that grows with time beyond its durable records', () => {
    // 80 KB a second: a 180 s run ends 14 MB up on top of its payouts' records.
    const leaking = report((at, payouts) => durableOnly(at, payouts) + (at * 80) / 1024)
    expect(memoryVerdict(leaking)).toEqual([
      expect.stringMatching(/^heap grew [\d.]+ MB beyond its payouts' durable records/),
    ])
  })

  it('judges no trend on a run under a minute, but still a request left open or heap held', () => {
    const short = report(() => 500, {
      durationMs: 10_000,
      pendingRequests: ['webhook /webhooks/coinflow'],
    })
    expect(heapTrend(short)).toBeNull()
    expect(memoryVerdict(short)).toEqual(['1 requests never settled (webhook /webhooks/coinflow)'])
    const held = report(durableOnly)
    held.memory.heapAtEndMb = 40
    expect(memoryVerdict(held)).toEqual(['27.0 MB still held once everything closed'])
  })
})
