import { describe, expect, it } from 'vitest'
import { runSoak } from './soak'
import { verdict } from './soak-cli'

describe('soak (quick)', () => {
  it(
    'keeps every payout once, closes every stream and timer, under faults and steady load',
    { timeout: 120_000 },
    async () => {
      const report = await runSoak({ durationMs: 10_000, users: 6 })
      console.log(
        `soak --quick: ${report.requests} requests, ${report.payouts.accepted} payouts (${report.payouts.succeeded} succeeded, ${report.payouts.failed} failed), ${report.vendorFaults} vendor faults absorbed, lost ${report.payouts.lost}, doubled ${report.payouts.doubled}, heap ${report.memory.heapAfterWarmupMb} → ${report.memory.heapAtEndMb} MB, event streams peak ${report.peakEventStreams} / open ${report.openEventStreams}`,
      )
      expect(verdict(report)).toEqual([])
      expect(report.payouts.accepted).toBeGreaterThan(10)
      expect(report.payouts.failed).toBeGreaterThan(0)
      expect(report.vendorFaults).toBeGreaterThan(0)
      expect(report.peakEventStreams).toBeGreaterThan(0)
      // Nothing but the 5xx the contract allows for a vendor outage ever reached a user.
      expect(Object.keys(report.statuses).filter((status) => Number(status) >= 500)).toEqual([])
      // Flat enough: a leak of one object per request would show as megabytes here.
      expect(report.memory.heapAtEndMb - report.memory.heapAfterWarmupMb).toBeLessThan(40)
    },
  )
})
