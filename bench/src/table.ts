/**
 * The bench's results as Markdown tables: printed on stdout and pasted into the "Latest run" of
 * `bench/README.md` as they are.
 *
 * @module
 */
import type { BurstResults } from './burst'
import type { DemoResults } from './demo'
import type { LoadFigure } from './load'
import type { OverheadResults } from './overhead'
import type { RoundTripFigure, RoundTripResults } from './round-trips'
import { isMissing, type BenchResults, type Section } from './run'
import type { SizeResults, SubjectSize } from './size'
import { ratio } from './stats'
import type { UpstreamResults } from './upstream'

// kB as the size budget counts them (1 kB = 1,000 bytes), so the table and the budget agree.
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`
const times = (value: number | null) => (value === null ? '–' : `${value.toFixed(2)}×`)
const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`
const header = (cells: string[]) => [row(cells), row(cells.map(() => '---'))]

function sizeTable(size: SizeResults): string[] {
  const stubbed = size.subjects.stubbed
  const real = new Map(size.subjects.real.map((subject) => [subject.id, subject]))
  const ours = stubbed.find((subject) => subject.id === 'shareflow')
  const base = ours?.initial.gzipBytes ?? 0
  const lines = [
    `Bundle size: ${size.bundler}, one set of flags for every subject (\`${size.flags}\`). ` +
      '`@solana/web3.js` aliased to an empty module (the cheaper way to install CoinflowWithdraw); ' +
      'the last column installs it for real.',
    '',
    ...header([
      'what the host ships',
      'initial gzip',
      'vs @shareflow/react',
      'lazy chunks (gzip)',
      'with real @solana/web3.js',
    ]),
  ]
  const lazy = (subject: SubjectSize) =>
    subject.lazy.length === 0
      ? '–'
      : subject.lazy
          .map(
            (chunk) =>
              `${kb(chunk.gzipBytes)}${chunk.mainPackage ? ` (${chunk.mainPackage})` : ''}`,
          )
          .join(', ')
  for (const subject of stubbed) {
    const withWeb3 = real.get(subject.id)
    lines.push(
      row([
        subject.label,
        kb(subject.initial.gzipBytes),
        subject.id === 'shareflow' ? '1.00×' : times(ratio(subject.initial.gzipBytes, base)),
        lazy(subject),
        withWeb3 && withWeb3.initial.gzipBytes !== subject.initial.gzipBytes
          ? kb(withWeb3.initial.gzipBytes)
          : '=',
      ]),
    )
  }
  return lines
}

function roundTripTable(rt: RoundTripResults): string[] {
  const s = rt.settings
  const figure = (f: RoundTripFigure) => [f.requests, f.upstreamCalls, `${f.readyMs} ms`]
  const lines = [
    `Round trips to ready: ${rt.environment}; +${s.hostLatencyMs} ms per browser request, ` +
      `+${s.vendorLatencyMs} ms per vendor call, ${s.reviewMs} ms Coinflow review, naive polls every ` +
      `${s.naivePollMs} ms; median of ${s.runs}.`,
    '',
    ...header([
      'journey',
      'Shareflow requests',
      'upstream',
      'ready',
      'naive requests',
      'upstream',
      'ready',
      'naive / Shareflow ready time',
    ]),
  ]
  const journeys = [
    ['verified user', rt.verified],
    ['first-time share', rt.firstShare],
  ] as const
  for (const [name, pair] of journeys) {
    lines.push(
      row([
        name,
        ...figure(pair.shareflow),
        ...figure(pair.naive),
        times(ratio(pair.naive.readyMs, pair.shareflow.readyMs)),
      ]),
    )
  }
  lines.push('')
  for (const [name, pair] of journeys) {
    lines.push(
      `- ${name}: Shareflow ${pair.shareflow.paths.join(', ')}; naive ${pair.naive.paths.join(', ')}`,
    )
  }
  return lines
}

function upstreamTable(up: UpstreamResults): string[] {
  const lines = [
    `Upstream calls per journey, from the BFF's own request counters (the emulator's count in brackets where it differs); journeys per minute under Persona's ${up.limitPerMinute} requests/min.`,
    '',
    ...header(['journey', 'BFF requests', 'Persona', 'Coinflow', 'journeys/min under Persona']),
  ]
  const withEmulator = (bff: number, seen: number) => (bff === seen ? `${bff}` : `${bff} [${seen}]`)
  for (const j of up.journeys) {
    lines.push(
      row([
        j.journey,
        j.bffRequests,
        withEmulator(j.persona, j.emulatorPersona),
        withEmulator(j.coinflow, j.emulatorCoinflow),
        j.journeysPerMinute === null ? 'no Persona call' : j.journeysPerMinute,
      ]),
    )
  }
  return lines
}

function overheadTable(oh: OverheadResults): string[] {
  const lines = [
    `BFF overhead: ${oh.tool}, ${oh.durationSec} s per target and cell in ${oh.rounds} alternating slices, all servers in one process of their own. Direct = the emulator's ${oh.directCall.session} (for /session) and ${oh.directCall.quotes} (for /quotes); proxy = a bare @hono/node-server pass-through in front of it. The BFF makes ${oh.upstreamPerRequest.session} vendor call${oh.upstreamPerRequest.session === 1 ? '' : 's'} per /session and ${oh.upstreamPerRequest.quotes} per uncached /quotes. Latency mean / p50 / p99 ms; ratios are BFF over the other (latency: lower is better; throughput: higher is better).`,
    '',
    ...header([
      'route',
      'conns',
      'BFF lat',
      'BFF req/s',
      'direct lat',
      'direct req/s',
      'proxy lat',
      'proxy req/s',
      'mean vs direct',
      'p99 vs direct',
      'req/s vs direct',
      'mean vs proxy',
      'p99 vs proxy',
      'req/s vs proxy',
    ]),
  ]
  const lat = (f: LoadFigure) =>
    (f.requests === 0 ? 'none finished' : `${f.meanMs} / ${f.p50Ms} / ${f.p99Ms}`) +
    (f.failures > 0 ? ` (${f.failures} failed)` : '')
  for (const r of oh.rows) {
    lines.push(
      row([
        r.route === 'session' ? 'GET /session' : 'POST /quotes',
        r.connections,
        lat(r.bff),
        r.bff.requestsPerSec,
        lat(r.direct),
        r.direct.requestsPerSec,
        lat(r.proxy),
        r.proxy.requestsPerSec,
        times(r.meanVsDirect),
        times(r.p99VsDirect),
        times(r.throughputVsDirect),
        times(r.meanVsProxy),
        times(r.p99VsProxy),
        times(r.throughputVsProxy),
      ]),
    )
  }
  return lines
}

function burstTable(b: BurstResults): string[] {
  const errors = Object.entries(b.userErrors)
    .map(([status, count]) => `${count}× ${status}`)
    .join(', ')
  return [
    `Burst: ${b.settings.users} users start verification within ${b.settings.startWindowMs / 1000} s (inquiry → Persona's form after ~${b.settings.formMs / 1000} s → share → approved), emulated time at ${b.settings.speed}× real time.`,
    '',
    ...header(['figure', 'value']),
    row([
      'journeys completed',
      `${b.completed} of ${b.settings.users}` +
        (Object.keys(b.stuck ?? {}).length > 0
          ? ` (unfinished: ${Object.entries(b.stuck)
              .map(([state, n]) => `${n} ${state}`)
              .join(', ')})`
          : ''),
    ]),
    row(['429s that reached a user', b.user429]),
    row([
      'other errors users saw (each retried)',
      errors ? `${errors}, to ${b.usersWithErrors} users` : 'none',
    ]),
    row(["Persona's 429s to the BFF (retried inside the BFF)", b.persona429]),
    row(['Persona / Coinflow calls', `${b.personaCalls} / ${b.coinflowCalls}`]),
    row(['first start → last approval', `${b.totalMinutes} min`]),
    row([
      "floor: the journeys' Persona calls at 300/min",
      `${b.floorMinutes} min${b.personaPerJourney === null ? '' : ` (${b.personaPerJourney} per journey)`}`,
    ]),
    row(['time vs floor', times(b.vsFloor)]),
    row(['median / slowest journey', `${b.medianJourneyMinutes} / ${b.slowestJourneyMinutes} min`]),
    row(['real time', `${b.realSeconds} s`]),
  ]
}

function demoTable(d: DemoResults): string[] {
  return [
    `Demo time to interactive: ${d.environment}; +${d.settings.vendorLatencyMs} ms per vendor call; ${d.player} reloads the wallet; median of ${d.settings.runs}.`,
    '',
    ...header(['figure', 'value']),
    row(['first contentful paint', `${d.firstContentfulPaintMs} ms`]),
    row(["kit's amount field interactive", `${d.timeToInteractiveMs} ms`]),
  ]
}

function part<T>(title: string, section: Section<T>, render: (value: T) => string[]): string[] {
  return [
    `#### ${title}`,
    '',
    ...(isMissing(section) ? [`Missing: ${section.missing}`] : render(section)),
    '',
  ]
}

export function renderTables(results: BenchResults): string {
  const m = results.machine
  return [
    `Measured ${results.date.slice(0, 10)} (${results.mode} run, ${results.durationSec} s) on ${m.cores} cores (${m.cpuModel}), ${Math.round(m.memoryBytes / 2 ** 30)} GiB, Node ${m.node}, ${m.platform}/${m.arch}.`,
    '',
    ...part('Bundle size', results.size, sizeTable),
    ...part('Round trips to ready', results.roundTrips, roundTripTable),
    ...part('Upstream cost per journey', results.upstream, upstreamTable),
    ...part('BFF overhead', results.overhead, overheadTable),
    ...part('Burst', results.burst, burstTable),
    ...part('Demo time to interactive', results.demo, demoTable),
  ].join('\n')
}
