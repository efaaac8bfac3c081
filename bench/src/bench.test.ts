import { describe, expect, it } from 'vitest'
import { isMissing, runBench, type BenchResults } from './run'
import { renderTables } from './table'
import { CONNECTION_LEVELS } from './overhead'

const positive = (value: number) => Number.isFinite(value) && value > 0

/** Every figure `bench/README.md` reports, from a quick run: that it is there, not how fast. */
describe('pnpm bench --quick', () => {
  let results: BenchResults

  it('runs every section on this machine', async () => {
    results = await runBench({ quick: true, log: () => {} })
    const missing = Object.entries(results).filter(
      ([, value]) => typeof value === 'object' && value !== null && isMissing(value),
    )
    expect(missing).toEqual([])
    expect(results.machine.cores).toBeGreaterThan(0)
    expect(results.machine.node).toMatch(/^v\d+/)
  })

  it('measures the gzip size of the kit and of every anchor, with and without @solana/web3.js', () => {
    if (isMissing(results.size)) throw new Error(results.size.missing)
    for (const mode of ['stubbed', 'real'] as const) {
      const ids = results.size.subjects[mode].map((subject) => subject.id)
      expect(ids).toEqual(
        expect.arrayContaining(['shareflow', 'coinflow', 'persona', 'naive', 'plaid', 'stripe']),
      )
      for (const subject of results.size.subjects[mode]) {
        expect(positive(subject.initial.gzipBytes), subject.id).toBe(true)
      }
    }
  })

  it('counts requests, upstream calls and ready time for both journeys and both integrations', () => {
    if (isMissing(results.roundTrips)) throw new Error(results.roundTrips.missing)
    for (const journey of [results.roundTrips.verified, results.roundTrips.firstShare]) {
      for (const figure of [journey.shareflow, journey.naive]) {
        expect(figure.requests).toBeGreaterThan(0)
        expect(figure.upstreamCalls).toBeGreaterThan(0)
        expect(positive(figure.readyMs)).toBe(true)
      }
    }
  })

  it('reports Persona and Coinflow calls per journey type', () => {
    if (isMissing(results.upstream)) throw new Error(results.upstream.missing)
    expect(results.upstream.journeys.length).toBeGreaterThanOrEqual(5)
    const share = results.upstream.journeys.find((j) => j.journey.startsWith('share'))
    expect(share?.persona).toBeGreaterThan(0)
    expect(share?.journeysPerMinute).toBeGreaterThan(0)
  })

  it('loads /session and /quotes through the BFF, directly and through a bare proxy at every concurrency', () => {
    if (isMissing(results.overhead)) throw new Error(results.overhead.missing)
    const cells = results.overhead.rows.map((row) => `${row.route}@${row.connections}`)
    expect(cells).toEqual(
      ['session', 'quotes'].flatMap((route) => CONNECTION_LEVELS.map((n) => `${route}@${n}`)),
    )
    for (const row of results.overhead.rows) {
      // A target too slow to finish a request in a quick run's slice (a busy machine) still
      // yields its figures; an error answer would make them about something else.
      for (const figure of [row.bff, row.direct, row.proxy]) {
        for (const value of Object.values(figure)) expect(Number.isFinite(value)).toBe(true)
        expect(figure.failures, `${row.route}@${row.connections}`).toBe(0)
      }
    }
  })

  it('completes every burst journey and lets no 429 reach a user', () => {
    if (isMissing(results.burst)) throw new Error(results.burst.missing)
    expect(results.burst.completed).toBe(results.burst.settings.users)
    expect(results.burst.user429).toBe(0)
    expect(positive(results.burst.floorMinutes)).toBe(true)
    expect(positive(results.burst.totalMinutes)).toBe(true)
  })

  it('times the demo to interactive', () => {
    if (isMissing(results.demo)) throw new Error(results.demo.missing)
    expect(positive(results.demo.timeToInteractiveMs)).toBe(true)
  })

  it('renders every section as a table', () => {
    const tables = renderTables(results)
    expect(tables).not.toContain('Missing:')
    for (const title of [
      'Bundle size',
      'Round trips to ready',
      'Upstream cost per journey',
      'BFF overhead',
      'Burst',
      'Demo time to interactive',
    ]) {
      expect(tables).toContain(`#### ${title}`)
    }
  })
})
