/**
 * `node scripts/soak.mjs [--quick] [--seconds N] [--users N]`: runs the soak and prints its
 * report as a table and one JSON line; exits 1 when a payout was lost or doubled, the books do
 * not balance, or event streams or timers were left behind.
 */
import { runSoak, type SoakReport } from './soak'

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

/**
 * Memory once the run is gone. Only meaningful when every request settled: a vendor delivery
 * stuck in the HTTP client's pool keeps the whole run (store, emulator) reachable by design.
 */
export function memoryVerdict(report: SoakReport): string[] {
  if (report.pendingRequests.length) {
    return [
      `${report.pendingRequests.length} requests never settled (${report.pendingRequests.join(', ')})`,
    ]
  }
  const heldMb = report.memory.heapAtEndMb - report.memory.heapBeforeMb
  return heldMb > LEAK_MB ? [`${heldMb.toFixed(1)} MB still held once everything closed`] : []
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
      'heap (before → during → end)',
      `${report.memory.heapBeforeMb} MB → ${report.memory.heapDuringMb.join(', ')} MB → ${report.memory.heapAtEndMb} MB`,
    ],
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
