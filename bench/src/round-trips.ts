/**
 * Round trips to ready, in Debian's Chromium: requests from mount to children on screen, and the
 * time it took, for `<KycShareGate>` against the naive integration (register → get withdrawer →
 * session key → render), both over the same emulator, the same host latency and the same vendor
 * latency. Requests are counted by the browser (every `/api/` request started before the child
 * rendered, the event stream included); upstream calls by the emulator.
 *
 * @module
 */
import { chromium, type Browser } from 'playwright-core'
import { launchOptions } from '../../scripts/chromium.mjs'
import { shareJourney } from './journeys'
import { createLab, USER_COOKIE, type Lab } from './lab'
import { bundlePage, listen, pageHtml } from './serve'
import { median } from './stats'

export interface RoundTripSettings {
  /** Added to every browser → host API request. */
  hostLatencyMs: number
  /** Added to every vendor API answer by the emulator. */
  vendorLatencyMs: number
  /** Coinflow's review of a shared identity (and Persona's redemption). */
  reviewMs: number
  /** How often the naive integration asks Coinflow whether the user is approved yet. */
  naivePollMs: number
  runs: number
}

export interface RoundTripFigure {
  /** Browser requests from mount to ready (median over runs). */
  requests: number
  /** Vendor API calls the journey caused (median). */
  upstreamCalls: number
  /** Mount to children rendered, ms (median). */
  readyMs: number
  /** The browser's requests, in order, from the last run. */
  paths: string[]
}

export interface RoundTripResults {
  environment: string
  settings: RoundTripSettings
  verified: { shareflow: RoundTripFigure; naive: RoundTripFigure }
  firstShare: { shareflow: RoundTripFigure; naive: RoundTripFigure }
}

type Mode = 'shareflow' | 'naive'

async function openOnce(
  browser: Browser,
  origin: string,
  lab: Lab,
  mode: Mode,
  userId: string,
  settings: RoundTripSettings,
): Promise<RoundTripFigure> {
  const context = await browser.newContext()
  await context.addCookies([{ name: USER_COOKIE, value: userId, url: origin }])
  const page = await context.newPage()
  const requests: Array<{ at: number; path: string }> = []
  page.on('request', (request) => {
    const url = new URL(request.url())
    if (url.pathname.startsWith('/api/')) {
      requests.push({ at: Date.now(), path: `${request.method()} ${url.pathname}` })
    }
  })
  try {
    await lab.emulator.runDue()
    lab.resetCounters()
    await page.goto(`${origin}/?mode=${mode}&poll=${settings.naivePollMs}`)
    await page.waitForFunction(
      () => window.__bench.readyAt !== undefined || window.__bench.error,
      null,
      {
        timeout: 30_000,
        polling: 10,
      },
    )
    const timing = await page.evaluate(() => ({
      ...window.__bench,
      timeOrigin: performance.timeOrigin,
    }))
    if (timing.error || timing.readyAt === undefined) {
      throw new Error(`${mode} never became ready: ${timing.error ?? 'no error'}`)
    }
    const readyWallClock = timing.timeOrigin + timing.readyAt
    const beforeReady = requests.filter((request) => request.at <= readyWallClock + 1)
    return {
      requests: beforeReady.length,
      paths: beforeReady.map((request) => request.path),
      upstreamCalls: lab.traffic.persona + lab.traffic.coinflow,
      readyMs: Math.round(timing.readyAt - timing.mountAt),
    }
  } finally {
    await context.close()
  }
}

function summarise(figures: RoundTripFigure[]): RoundTripFigure {
  return {
    requests: median(figures.map((f) => f.requests)),
    upstreamCalls: median(figures.map((f) => f.upstreamCalls)),
    readyMs: median(figures.map((f) => f.readyMs)),
    paths: figures[figures.length - 1]?.paths ?? [],
  }
}

export async function measureRoundTrips(settings: RoundTripSettings): Promise<RoundTripResults> {
  const lab = createLab({
    vendorLatencyMs: settings.vendorLatencyMs,
    hostLatencyMs: settings.hostLatencyMs,
    reviewMs: settings.reviewMs,
    naivePollMs: settings.naivePollMs,
  })
  const page = await bundlePage()
  lab.host.get('/', (c) => c.html(pageHtml))
  lab.host.get('/bench/page.js', (c) => c.body(page.js, 200, { 'Content-Type': 'text/javascript' }))
  lab.host.get('/bench/page.css', (c) => c.body(page.css, 200, { 'Content-Type': 'text/css' }))
  const server = await listen(lab.host.fetch)
  const browser = await chromium.launch(launchOptions)
  let user = 0
  const fresh = (label: string) => `rt-${label}-${++user}`
  try {
    const runs = {
      verified: { shareflow: [], naive: [] },
      firstShare: { shareflow: [], naive: [] },
    } as Record<'verified' | 'firstShare', Record<Mode, RoundTripFigure[]>>
    // Warm up Chromium and the page once, uncounted.
    await openOnce(browser, server.origin, lab, 'shareflow', fresh('warm'), settings).catch(
      () => undefined,
    )
    for (let run = 0; run < settings.runs; run++) {
      for (const mode of ['shareflow', 'naive'] as const) {
        const verified = fresh(`verified-${mode}`)
        await lab.seedCompletedInquiry(verified)
        await shareJourney(lab, verified)
        runs.verified[mode].push(
          await openOnce(browser, server.origin, lab, mode, verified, settings),
        )

        const sharing = fresh(`share-${mode}`)
        await lab.seedCompletedInquiry(sharing)
        runs.firstShare[mode].push(
          await openOnce(browser, server.origin, lab, mode, sharing, settings),
        )
      }
    }
    return {
      environment: `Chromium (${browser.version()}) via playwright-core, page and BFF on a real @hono/node-server`,
      settings,
      verified: {
        shareflow: summarise(runs.verified.shareflow),
        naive: summarise(runs.verified.naive),
      },
      firstShare: {
        shareflow: summarise(runs.firstShare.shareflow),
        naive: summarise(runs.firstShare.naive),
      },
    }
  } finally {
    await browser.close()
    await server.close()
    lab.close()
  }
}
