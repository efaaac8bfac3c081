/**
 * `runBench`: every measurement in one run on one machine, each section on its own so one that
 * cannot run (its code has not landed, Chromium is missing) is reported as missing with the
 * reason instead of sinking the others.
 *
 * @module
 */
import type { BurstResults, BurstSettings } from './burst'
import type { DemoResults, DemoSettings } from './demo'
import { describeMachine, type Machine } from './machine'
import type { OverheadResults } from './overhead'
import type { RoundTripResults, RoundTripSettings } from './round-trips'
import type { SizeResults } from './size'
import type { UpstreamResults } from './upstream'

/** A section that could not run, and why. */
export interface Missing {
  missing: string
}

export type Section<T> = T | Missing

export const isMissing = <T>(section: Section<T>): section is Missing =>
  typeof section === 'object' && section !== null && 'missing' in section

export interface BenchResults {
  date: string
  mode: 'full' | 'quick'
  machine: Machine
  /** Wall time of the whole run, seconds. */
  durationSec: number
  size: Section<SizeResults>
  roundTrips: Section<RoundTripResults>
  upstream: Section<UpstreamResults>
  overhead: Section<OverheadResults>
  burst: Section<BurstResults>
  demo: Section<DemoResults>
}

export interface BenchSettings {
  roundTrips: RoundTripSettings
  overhead: { durationSec: number; warmupSec: number; rounds: number }
  burst: BurstSettings
  demo: DemoSettings
}

/** Latency the round-trip and demo sections inject, the same for every integration. */
const HOST_LATENCY_MS = 50
const VENDOR_LATENCY_MS = 100

export const fullSettings: BenchSettings = {
  roundTrips: {
    hostLatencyMs: HOST_LATENCY_MS,
    vendorLatencyMs: VENDOR_LATENCY_MS,
    reviewMs: 1_000,
    naivePollMs: 1_000,
    runs: 5,
  },
  overhead: { durationSec: 6, warmupSec: 1, rounds: 3 },
  burst: { users: 1_000, startWindowMs: 60_000, formMs: 60_000, speed: 30 },
  demo: { vendorLatencyMs: VENDOR_LATENCY_MS, runs: 5 },
}

/** Tiny durations: proves every section still runs and yields every figure, not how fast. */
export const quickSettings: BenchSettings = {
  roundTrips: { ...fullSettings.roundTrips, reviewMs: 300, naivePollMs: 300, runs: 1 },
  overhead: { durationSec: 2, warmupSec: 1, rounds: 1 },
  burst: { users: 40, startWindowMs: 60_000, formMs: 30_000, speed: 30 },
  demo: { vendorLatencyMs: VENDOR_LATENCY_MS, runs: 1 },
}

async function runSection<T>(
  name: string,
  log: (line: string) => void,
  run: () => Promise<T>,
): Promise<Section<T>> {
  const started = Date.now()
  log(`▶ ${name}`)
  try {
    const result = await run()
    log(`  ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`)
    return result
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    log(`  ${name}: missing (${reason.split('\n')[0]})`)
    return { missing: reason.split('\n')[0]! }
  }
}

/** The sections `--only` may name, as `BenchResults` keys. */
export const sectionNames = ['size', 'upstream', 'roundTrips', 'overhead', 'burst', 'demo'] as const
export type SectionName = (typeof sectionNames)[number]

export async function runBench({
  quick = false,
  only,
  log = (line: string) => console.error(line),
}: {
  quick?: boolean
  /** Run just these sections (the others are reported missing); all when unset. */
  only?: ReadonlySet<SectionName>
  log?: (line: string) => void
} = {}): Promise<BenchResults> {
  const settings = quick ? quickSettings : fullSettings
  const started = Date.now()
  const section = <T>(key: SectionName, name: string, run: () => Promise<T>) =>
    only && !only.has(key)
      ? Promise.resolve<Section<T>>({ missing: 'not run (--only)' })
      : runSection(name, log, run)
  // Each section imports its code when it runs, so a section whose code is missing fails alone.
  const size = await section('size', 'bundle size', async () =>
    (await import('./size')).measureSizes(),
  )
  const upstream = await section('upstream', 'upstream cost', async () =>
    (await import('./upstream')).measureUpstream(),
  )
  const roundTrips = await section('roundTrips', 'round trips (Chromium)', async () =>
    (await import('./round-trips')).measureRoundTrips(settings.roundTrips),
  )
  const overhead = await section('overhead', 'BFF overhead (autocannon)', async () =>
    (await import('./overhead')).measureOverhead(settings.overhead),
  )
  const perJourney = isMissing(upstream)
    ? undefined
    : upstream.journeys.find((journey) => journey.journey.startsWith('first verification'))?.persona
  const burst = await section('burst', 'burst', async () =>
    (await import('./burst')).measureBurst(settings.burst, perJourney),
  )
  const demo = await section('demo', 'demo time to interactive (Chromium)', async () =>
    (await import('./demo')).measureDemo(settings.demo),
  )
  return {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: describeMachine(),
    durationSec: Math.round((Date.now() - started) / 100) / 10,
    size,
    roundTrips,
    upstream,
    overhead,
    burst,
    demo,
  }
}
