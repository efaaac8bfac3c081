/**
 * `node scripts/soak.mjs [--quick] [--seconds N] [--users N]`: runs the soak and prints its
 * report as a table and one JSON line; exits 1 when a payout was lost or doubled, the books do
 * not balance, event streams, timers or requests were left behind, or memory grew (see
 * `memoryVerdict`).
 */
import { runSoak, type MemorySample, type SoakReport } from './soak'

const args = process.argv.slice(2)
const option = (name: string) => {
  const at = args.indexOf(name)
  return at === -1 ? undefined : Number(args[at + 1])
}
const quick = args.includes('--quick')
const seconds = option('--seconds') ?? (quick ? 15 : 180)
const users = option('--users') ?? (quick ? 8 : 40)

/** Heap the process may keep after the run is gone (module caches, JIT): more is a leak. */
const LEAK_MB = 15

/**
 * What one payout leaves in memory for good, by design: in the BFF's store, which the file store
 * holds in memory (the payout record, its idempotency claim, signature and history entries, and
 * its webhooks' de-duplication keys, kept 7 days: 5.9 keys and 1.6 KB of text measured), and in
 * the emulator Coinflow's payout record (1.3 KB measured). 180 s runs measure 4.1–4.8 KB of heap
 * per payout; heap growth beyond this allowance is what a leak would look like.
 */
export const DURABLE_KB_PER_PAYOUT = 6

/** The last third's heap, net of durable records, may exceed the steady state's start by… */
export const TREND_ALLOWED = 0.1
/** …or by this much on a small heap, whichever is more (one GC'd sample varies by about this). */
export const TREND_FLOOR_MB = 3

export interface HeapTrend {
  /**
   * Where the steady state starts: the first three samples after warm-up (the run's first
   * third), averaged, since one GC'd sample alone varies by a few MB.
   */
  baseline: { atSeconds: number; heapMb: number; payouts: number }
  /** Samples in the run's last third. */
  lastThird: MemorySample[]
  /** Mean heap of the last third, in MB, and the growth over the baseline. */
  lastThirdMeanMb: number
  growthMb: number
  /** Growth the payouts made meanwhile explain, at DURABLE_KB_PER_PAYOUT. */
  durableMb: number
  /** Growth beyond that, and how much is allowed. */
  unexplainedMb: number
  allowedMb: number
  /** Heap per payout over the whole run after warm-up (least squares), in KB. */
  kbPerPayout: number | null
}

const round = (value: number) => Math.round(value * 10) / 10

/** Shorter runs have no trend worth judging: GC noise is as large as a minute's growth. */
export const TREND_MIN_SECONDS = 60

/**
 * The heap's trend after warm-up, or null when the run is too short to have one (under
 * TREND_MIN_SECONDS, or fewer than three samples at the steady state's start or in its last third).
 */
export function heapTrend(report: SoakReport): HeapTrend | null {
  const seconds = report.durationMs / 1000
  if (seconds < TREND_MIN_SECONDS) return null
  // Under load only: the sample taken once the crowd has gone holds none of its requests.
  const afterWarmUp = report.memory.samples.filter(
    (sample) => sample.atSeconds >= seconds / 3 && sample.atSeconds <= seconds,
  )
  const lastThird = afterWarmUp.filter((sample) => sample.atSeconds >= (seconds * 2) / 3)
  const start = afterWarmUp.slice(0, 3).filter((sample) => !lastThird.includes(sample))
  if (start.length < 3 || lastThird.length < 3) return null
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
  const baseline = {
    atSeconds: start[0]!.atSeconds,
    heapMb: round(mean(start.map((sample) => sample.heapMb))),
    payouts: Math.round(mean(start.map((sample) => sample.payouts))),
  }
  const lastThirdMeanMb = mean(lastThird.map((sample) => sample.heapMb))
  const payoutsMean = mean(lastThird.map((sample) => sample.payouts))
  const growthMb = lastThirdMeanMb - baseline.heapMb
  const durableMb = ((payoutsMean - baseline.payouts) * DURABLE_KB_PER_PAYOUT) / 1024
  const unexplainedMb = growthMb - durableMb
  const allowedMb = Math.max(baseline.heapMb * TREND_ALLOWED, TREND_FLOOR_MB)
  // The slope of heap against payouts, for the report: what each payout really cost.
  const xs = afterWarmUp.map((sample) => sample.payouts)
  const ys = afterWarmUp.map((sample) => sample.heapMb)
  const mx = mean(xs)
  const my = mean(ys)
  const spread = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0)
  const kbPerPayout =
    spread === 0
      ? null
      : round((xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i]! - my), 0) / spread) * 1024)
  return {
    baseline,
    lastThird,
    lastThirdMeanMb: round(lastThirdMeanMb),
    growthMb: round(growthMb),
    durableMb: round(durableMb),
    unexplainedMb: round(unexplainedMb),
    allowedMb: round(allowedMb),
    kbPerPayout,
  }
}

/**
 * Memory: nothing left unanswered (every request here has a deadline, so one still open is a
 * hang), the heap back near where it started once the run is gone, and, on a run long enough to
 * have a trend, the heap after warm-up flat but for the durable records its payouts left.
 */
export function memoryVerdict(report: SoakReport): string[] {
  const problems: string[] = []
  if (report.pendingRequests.length) {
    problems.push(
      `${report.pendingRequests.length} requests never settled (${report.pendingRequests.join(', ')})`,
    )
  }
  const heldMb = report.memory.heapAtEndMb - report.memory.heapBeforeMb
  if (heldMb > LEAK_MB) problems.push(`${heldMb.toFixed(1)} MB still held once everything closed`)
  const trend = heapTrend(report)
  if (trend && trend.unexplainedMb > trend.allowedMb) {
    problems.push(
      `heap grew ${trend.unexplainedMb} MB beyond its payouts' durable records after warm-up (allowed ${trend.allowedMb} MB)`,
    )
  }
  return problems
}

/** What the BFF owes its users and the host: every payout once, books right, nothing left open. */
export function verdict(report: SoakReport): string[] {
  const problems: string[] = []
  if (report.payouts.lost > 0) problems.push(`${report.payouts.lost} payouts lost`)
  if (report.payouts.doubled > 0) problems.push(`${report.payouts.doubled} payouts doubled`)
  if (report.payouts.ledgerMismatches > 0) {
    problems.push(`${report.payouts.ledgerMismatches} host balances wrong`)
  }
  if (report.openEventStreams > 0) {
    problems.push(`${report.openEventStreams} event streams left open`)
  }
  if (report.statuses['no answer']) {
    problems.push(`${report.statuses['no answer']} requests to the BFF never answered`)
  }
  const serverErrors = Object.keys(report.statuses).filter(
    (status) => status.startsWith('5') && status !== '503 upstream_unavailable',
  )
  if (serverErrors.length) {
    problems.push(`answers a user must never see: ${serverErrors.join(', ')}`)
  }
  if (report.timers.after > report.timers.before) {
    problems.push(`${report.timers.after - report.timers.before} timers left running`)
  }
  return problems
}

function describeTrend(trend: HeapTrend | null): string {
  if (!trend) return `none judged: a run under ${TREND_MIN_SECONDS} s is too short to have one`
  return `${trend.baseline.heapMb} MB from ${trend.baseline.atSeconds} s (mean of 3) → last third ${trend.lastThirdMeanMb} MB (mean of ${trend.lastThird.length}): +${trend.growthMb} MB, of which ${trend.durableMb} MB durable payout records, ${trend.unexplainedMb} MB beyond (allowed ${trend.allowedMb} MB); ${trend.kbPerPayout ?? '?'} KB per payout`
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await runSoak({
    durationMs: seconds * 1000,
    users,
    log: (line) => console.log(line),
  })
  const rows: Array<[string, string]> = [
    ['duration', `${seconds} s, ${users} users`],
    ['requests', `${report.requests} (${report.requestsPerSecond}/s)`],
    [
      'statuses',
      Object.entries(report.statuses)
        .map(([s, n]) => `${s}×${n}`)
        .join(' '),
    ],
    ['faults', JSON.stringify(report.faults)],
    ['vendor answers spoiled by faults', String(report.vendorFaults)],
    [
      'payouts',
      `${report.payouts.accepted} accepted: ${report.payouts.succeeded} succeeded, ${report.payouts.failed} failed, ${report.payouts.refused} refused`,
    ],
    ['lost / doubled', `${report.payouts.lost} / ${report.payouts.doubled}`],
    ['host balances wrong', String(report.payouts.ledgerMismatches)],
    [
      'heap after GC (s: MB, payouts)',
      report.memory.samples
        .map((sample) => `${sample.atSeconds}: ${sample.heapMb}, ${sample.payouts}`)
        .join(' | '),
    ],
    [
      'heap (before → end of load → closed)',
      `${report.memory.heapBeforeMb} MB → ${report.memory.samples.at(-1)?.heapMb ?? '?'} MB → ${report.memory.heapAtEndMb} MB`,
    ],
    ['heap trend after warm-up', describeTrend(heapTrend(report))],
    [
      'durable at the end',
      `BFF store ${report.durable.storeKeys} keys (${report.durable.storeTextMb} MB of text), ${report.durable.coinflowPayouts} Coinflow payouts; emulator kept ${report.durable.webhookDeliveriesKept} webhook deliveries, forgot ${report.durable.webhookDeliveriesForgotten}`,
    ],
    ['webhooks waiting when the load stopped', String(report.webhooksWaiting)],
    ['rss (before → end)', `${report.memory.rssBeforeMb} MB → ${report.memory.rssAtEndMb} MB`],
    ['requests unanswered at the end', report.pendingRequests.join(', ') || 'none'],
    ['event streams (peak, open at end)', `${report.peakEventStreams}, ${report.openEventStreams}`],
    ['timers (before → after)', `${report.timers.before} → ${report.timers.after}`],
    [
      'handles (before → after)',
      `${report.handles.before} → ${report.handles.after} ${report.handles.added.join(', ')}`,
    ],
  ]
  for (const [label, value] of rows) console.log(`${label.padEnd(36)} ${value}`)
  console.log(JSON.stringify(report))
  const problems = [...verdict(report), ...memoryVerdict(report)]
  if (problems.length) console.log(`soak failed: ${problems.join(', ')}`)
  process.exit(problems.length ? 1 : 0)
}
