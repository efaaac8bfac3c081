/**
 * Demo time to interactive, in Debian's Chromium: the demo app (apps/demo) built for production
 * and served by its own host server on the emulator, with a fixed latency on every vendor call.
 * A verified player with a linked bank account (Jonas) reloads the wallet; the clock runs from
 * navigation start until the kit's amount field can take input.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'
import { launchOptions } from '../../scripts/chromium.mjs'
import { benchRoot } from './paths'
import { median } from './stats'

export interface DemoSettings {
  vendorLatencyMs: number
  runs: number
}

export interface DemoResults {
  environment: string
  settings: DemoSettings
  player: string
  /** Navigation start → first contentful paint, ms (median). */
  firstContentfulPaintMs: number
  /** Navigation start → the kit's amount field enabled, ms (median). */
  timeToInteractiveMs: number
  runsMs: number[]
}

const PLAYER = 'Jonas Reed'

/**
 * Marks `window.__tti` when an enabled input labelled "Amount…" is on the page. A string, not a
 * function: tsx would wrap a function's body in helpers the page does not have.
 */
const watchForAmountField = `(() => {
  const check = () => {
    const field = [...document.querySelectorAll('input')].find(
      (input) =>
        !input.disabled &&
        /^Amount/.test(input.labels?.[0]?.textContent ?? input.getAttribute('aria-label') ?? ''),
    )
    if (field) window.__tti = performance.now()
    else requestAnimationFrame(check)
  }
  requestAnimationFrame(check)
})()`

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export async function measureDemo(settings: DemoSettings): Promise<DemoResults> {
  const demoRoot = path.join(benchRoot, '..', 'apps', 'demo')
  // Imported when run: the demo is another package's code and the bench reports it missing
  // rather than failing when it is not there.
  const { buildFrontend } = (await import(
    pathToFileURL(path.join(demoRoot, 'server/build.ts')).href
  )) as {
    buildFrontend(outDir: string): Promise<string>
  }
  const { startDemo } = (await import(
    pathToFileURL(path.join(demoRoot, 'server/start.ts')).href
  )) as typeof import('../../apps/demo/server/start')

  const work = await mkdtemp(path.join(tmpdir(), 'shareflow-bench-demo-'))
  const distDir = await buildFrontend(path.join(work, 'dist'))
  const demo = await startDemo({
    port: 0,
    dataDir: path.join(work, 'data'),
    distDir,
    hostedPort: await freePort(),
  })
  const browser = await chromium.launch(launchOptions)
  try {
    const uiOrigin = demo.emulator?.coinflow.uiOrigin
    if (!uiOrigin) throw new Error('the demo did not start on the emulator')
    for (const vendor of ['persona', 'coinflow']) {
      const response = await fetch(`${uiOrigin}/__emulator/faults/${vendor}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ latencyMs: settings.vendorLatencyMs }),
      })
      if (!response.ok)
        throw new Error(`setting the emulator's latency answered ${response.status}`)
    }

    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(demo.url)
    await page.getByRole('button', { name: `Sign in as ${PLAYER}` }).click()
    await page.getByRole('heading', { level: 1, name: /Welcome back/ }).waitFor()
    await context.addInitScript({ content: watchForAmountField })

    const tti: number[] = []
    const fcp: number[] = []
    // One uncounted load warms the server and Chromium's caches alike for every counted one.
    for (let run = 0; run <= settings.runs; run++) {
      await page.goto(demo.url)
      await page.waitForFunction(() => (window as unknown as { __tti?: number }).__tti, null, {
        timeout: 30_000,
      })
      const timing = await page.evaluate(() => ({
        tti: (window as unknown as { __tti: number }).__tti,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
      }))
      if (run === 0) continue
      tti.push(Math.round(timing.tti))
      fcp.push(Math.round(timing.fcp))
    }
    await context.close()
    return {
      environment: `Chromium (${browser.version()}) via playwright-core; demo built with Vite, served by its host server`,
      settings,
      player: PLAYER,
      firstContentfulPaintMs: median(fcp),
      timeToInteractiveMs: median(tti),
      runsMs: tti,
    }
  } finally {
    await browser.close()
    await demo.stop()
    await rm(work, { recursive: true, force: true })
  }
}
