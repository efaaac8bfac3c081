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
import { ratio } from './stats'

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

export async function measureOverhead({
  durationSec,
  warmupSec,
}: {
  durationSec: number
  warmupSec: number
}): Promise<OverheadResults> {
  const { child, targets } = await startServers()
  try {
    const rows: OverheadRow[] = []
    for (const route of ['session', 'quotes'] as const) {
      for (const target of ['bff', 'direct', 'proxy'] as const) {
        await runLoad(targets[route][target], { connections: 10, durationSec: warmupSec })
      }
      for (const connections of CONNECTION_LEVELS) {
        const figures = {} as Record<Target, LoadFigure>
        for (const target of ['direct', 'proxy', 'bff'] as const) {
          figures[target] = await runLoad(targets[route][target], { connections, durationSec })
        }
        const { bff, direct, proxy } = figures
        rows.push({
          route,
          connections,
          bff,
          direct,
          proxy,
          meanVsDirect: ratio(bff.meanMs, direct.meanMs),
          meanVsProxy: ratio(bff.meanMs, proxy.meanMs),
          p50VsDirect: ratio(bff.p50Ms, direct.p50Ms),
          p50VsProxy: ratio(bff.p50Ms, proxy.p50Ms),
          p99VsDirect: ratio(bff.p99Ms, direct.p99Ms),
          p99VsProxy: ratio(bff.p99Ms, proxy.p99Ms),
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
