/**
 * BFF overhead: latency (p50, p99) and throughput of `GET /session` and `POST /quotes` through the
 * BFF to the emulator, against the vendor request that carries the answer sent to the emulator
 * directly, and through a bare `@hono/node-server` pass-through proxy (the floor for any extra
 * hop), at 1, 50 and 500 concurrent connections. Load comes from autocannon in this process; the
 * servers run in a child process (see `overhead-servers.ts`).
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { runLoad, type LoadFigure } from './load'
import type { OverheadTargets } from './overhead-servers'
import { benchRoot } from './paths'
import { median, ratio } from './stats'

export const CONNECTION_LEVELS = [1, 50, 500] as const
export type Route = 'session' | 'quotes'
export type Target = 'bff' | 'direct' | 'proxy'

export interface OverheadRow {
  route: Route
  connections: number
  bff: LoadFigure
  direct: LoadFigure
  proxy: LoadFigure
  /** BFF latency over direct and over proxy latency (lower is better); `null` where one is 0 ms. */
  meanVsDirect: number | null
  meanVsProxy: number | null
  p50VsDirect: number | null
  p50VsProxy: number | null
  p99VsDirect: number | null
  p99VsProxy: number | null
  /** BFF requests/s over direct and proxy requests/s (higher is better). */
  throughputVsDirect: number | null
  throughputVsProxy: number | null
}

export interface OverheadResults {
  tool: string
  durationSec: number
  rounds: number
  /** Vendor calls the BFF makes per request of each route. */
  upstreamPerRequest: Record<Route, number>
  directCall: Record<Route, string>
  rows: OverheadRow[]
}

/** Starts the servers' child process with the same TypeScript loader and source condition. */
function startServers(): Promise<{ child: ChildProcess; targets: OverheadTargets }> {
  const loader = pathToFileURL(path.join(benchRoot, 'node_modules/tsx/dist/loader.mjs')).href
  const child = fork(path.join(benchRoot, 'src/overhead-servers.ts'), [], {
    execArgv: ['--import', loader, '--conditions=@shareflow/source'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the overhead servers exited (${code})`)))
    child.on(
      'message',
      (message: { type: string; targets?: OverheadTargets; message?: string }) => {
        if (message.type === 'ready' && message.targets)
          resolve({ child, targets: message.targets })
        if (message.type === 'error')
          reject(new Error(`the overhead servers failed: ${message.message}`))
      },
    )
  })
}

function stopServers(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.send({ type: 'stop' })
  })
}

/** No latency ratio where one side finished no request: its latency is not known. */
const latencyRatio = (a: LoadFigure, b: LoadFigure, key: 'meanMs' | 'p50Ms' | 'p99Ms') =>
  a.requests === 0 || b.requests === 0 ? null : ratio(a[key], b[key])

/** Slices of one cell as one figure: totals add up; latencies are the slices' medians. */
export function combine(slices: LoadFigure[]): LoadFigure {
  const requests = slices.reduce((sum, s) => sum + s.requests, 0)
  return {
    meanMs:
      requests === 0
        ? 0
        : Math.round((slices.reduce((sum, s) => sum + s.meanMs * s.requests, 0) / requests) * 100) /
          100,
    p50Ms: median(slices.map((s) => s.p50Ms)),
    p99Ms: median(slices.map((s) => s.p99Ms)),
    requestsPerSec: Math.round(median(slices.map((s) => s.requestsPerSec))),
    requests,
    failures: slices.reduce((sum, s) => sum + s.failures, 0),
  }
}

export async function measureOverhead({
  durationSec,
  warmupSec,
  rounds = 1,
}: {
  /** Per target and cell, over all rounds. */
  durationSec: number
  warmupSec: number
  /** Slices each cell's time is cut into, the three targets taking turns. */
  rounds?: number
}): Promise<OverheadResults> {
  const { child, targets } = await startServers()
  try {
    const rows: OverheadRow[] = []
    for (const route of ['session', 'quotes'] as const) {
      if (warmupSec > 0) {
        for (const target of ['bff', 'direct', 'proxy'] as const) {
          await runLoad(targets[route][target], { connections: 10, durationSec: warmupSec })
        }
      }
      for (const connections of CONNECTION_LEVELS) {
        // Short slices, taking turns: a neighbour's load on a shared machine then falls on all
        // three targets alike instead of on whichever ran during it.
        const slices = { bff: [], direct: [], proxy: [] } as Record<Target, LoadFigure[]>
        for (let round = 0; round < rounds; round++) {
          for (const target of ['direct', 'proxy', 'bff'] as const) {
            slices[target].push(
              await runLoad(targets[route][target], {
                connections,
                durationSec: durationSec / rounds,
              }),
            )
          }
        }
        const figures = {
          bff: combine(slices.bff),
          direct: combine(slices.direct),
          proxy: combine(slices.proxy),
        }
        const { bff, direct, proxy } = figures
        rows.push({
          route,
          connections,
          bff,
          direct,
          proxy,
          meanVsDirect: latencyRatio(bff, direct, 'meanMs'),
          meanVsProxy: latencyRatio(bff, proxy, 'meanMs'),
          p50VsDirect: latencyRatio(bff, direct, 'p50Ms'),
          p50VsProxy: latencyRatio(bff, proxy, 'p50Ms'),
          p99VsDirect: latencyRatio(bff, direct, 'p99Ms'),
          p99VsProxy: latencyRatio(bff, proxy, 'p99Ms'),
          throughputVsDirect: ratio(bff.requestsPerSec, direct.requestsPerSec),
          throughputVsProxy: ratio(bff.requestsPerSec, proxy.requestsPerSec),
        })
      }
    }
    const { version } = createRequire(import.meta.url)('autocannon/package.json') as {
      version: string
    }
    return {
      tool: `autocannon ${version}`,
      durationSec,
      rounds,
      upstreamPerRequest: {
        session: targets.session.upstreamPerRequest,
        quotes: targets.quotes.upstreamPerRequest,
      },
      directCall: {
        session: `${targets.session.direct.method ?? 'GET'} ${new URL(targets.session.direct.url).pathname}`,
        quotes: `${targets.quotes.direct.method ?? 'GET'} ${new URL(targets.quotes.direct.url).pathname}`,
      },
      rows,
    }
  } finally {
    await stopServers(child)
  }
}
