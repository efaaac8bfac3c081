// The visual check (`pnpm test:visual`): every story of the Storybook, in the light and the dark
// theme, rendered in Chromium from a static build and compared pixel by pixel with the reference
// image committed beside this file. More changed pixels than the budget fail the run and leave the
// new picture and a diff (changes in red) in test/visual/diff/.
//
//   pnpm test:visual                 build the Storybook, check every story
//   pnpm test:visual --update        the same, and take the pictures that differ or are new as
//                                    references (and drop those of stories that are gone)
//   pnpm test:visual withdraw gate   only stories whose id contains one of these words
//   --site storybook-static          use a build already made instead of building one
//   --budget 25                      changed pixels allowed per picture (default 25)
//   --workers 2                      pictures taken at once (default: the machine's cores, ≤ 4)
//
// What makes two runs draw the same pixels: the page's clock starts at the same instant (timers
// still run, so the emulator's payouts settle) and stops once the story's play function has
// finished; Math.random and crypto's random values come from a fixed seed in every page (the
// emulator's ids and request ids); the timezone is UTC and the browser's language en-US (the
// story's own toolbar language still applies); animations and the caret are off; fonts are the
// machine's (system-ui is DejaVu Sans on Debian).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pixelmatch from 'pixelmatch'
import { chromium } from 'playwright-core'
import { PNG } from 'pngjs'
import { MINIMAL_VIEWPORTS } from 'storybook/viewport'
import { launchOptions } from '../../scripts/chromium.mjs'
import { serveStatic } from '../../scripts/static-site.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.join(here, '../..')
const references = path.join(here, 'references')
const diffs = path.join(here, 'diff')

const { values: options, positionals: filters } = parseArgs({
  allowPositionals: true,
  options: {
    update: { type: 'boolean', default: false },
    site: { type: 'string' },
    budget: { type: 'string', default: '25' },
    workers: { type: 'string', default: String(Math.min(4, availableParallelism())) },
  },
})
const budget = Number(options.budget)
const started = performance.now()
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`

/** The Storybook to check: built now from the sources, unless `--site` names a build. */
function site() {
  if (options.site) return path.resolve(options.site)
  const out = path.join(root, 'node_modules/.cache/shareflow-visual/storybook')
  const building = performance.now()
  const build = spawnSync(
    'npx',
    ['storybook', 'build', '-c', '.storybook', '-o', out, '--quiet', '--disable-telemetry'],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: 'true' } },
  )
  if (build.status !== 0) throw new Error('storybook build failed')
  console.log(`Storybook built in ${seconds(building)}`)
  return out
}

/** A seeded xorshift in place of the page's randomness, so ids and request ids repeat. */
function seedRandomness() {
  let state = 0x2545f491
  const next = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 4_294_967_296
  }
  Math.random = next
  crypto.getRandomValues = (array) => {
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256)
    return array
  }
  crypto.randomUUID = () => {
    const hex = [...crypto.getRandomValues(new Uint8Array(16))]
      .map((byte) => byte.toString(16).padStart(2, '0'))
      .join('')
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
  }
}

/**
 * Every phase change of every render in the page (Storybook's `storyRenderPhaseChanged`), kept in
 * `window.__visualPhases` as [renderId, phase]: the picture is taken only of the story's first
 * render once its play function has run, never of a render that came after it.
 */
function recordPhases() {
  const phases = []
  const listened = new WeakSet()
  let channel
  globalThis.__visualPhases = phases
  Object.defineProperty(globalThis, '__STORYBOOK_ADDONS_CHANNEL__', {
    configurable: true,
    get: () => channel,
    set: (next) => {
      channel = next
      if (!next || listened.has(next)) return
      listened.add(next)
      next.on('storyRenderPhaseChanged', ({ newPhase, renderId }) =>
        phases.push([renderId, newPhase]),
      )
      // Why a render errored: what its play function threw, or the errors it left unhandled.
      const why = (error) => phases.push([null, String(error?.message ?? error).split('\n')[0]])
      next.on('playFunctionThrewException', why)
      next.on('unhandledErrorsWhilePlaying', (errors) => errors.forEach(why))
    },
  })
}

/** Where the story's rendering is: its renders' phases, its own globals, whether it has a play. */
const storyProgress = () => {
  const story = globalThis.__STORYBOOK_PREVIEW__?.storyRenders?.[0]?.story
  return {
    phases: globalThis.__visualPhases ?? [],
    globals: story?.storyGlobals ?? {},
    plays: Boolean(story?.playFunction),
    failed: document.body.classList.contains('sb-show-errordisplay'),
  }
}

/** Phases after which the story shows what its play function left (axe runs in afterEach). */
const settled = new Set(['completed', 'afterEach', 'finished'])

/** An attempt that saw something other than the story's own first render: it is taken again. */
class Rerendered extends Error {}

const start = new Date('2026-03-02T15:00:00Z')
const size = { width: 800, height: 600 }

/** A worker's tab: one context kept across stories, so the build's scripts load from its cache. */
async function openTab(browser) {
  const context = await browser.newContext({
    viewport: size,
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
    colorScheme: 'light',
  })
  await context.clock.install({ time: start })
  // Every document starts from the same seed.
  await context.addInitScript(seedRandomness)
  await context.addInitScript(recordPhases)
  const page = await context.newPage()
  const errors = []
  page.on('pageerror', (error) => errors.push(error.message))
  return { page, errors, close: () => context.close() }
}

/** Stops the page's clock where it is (pauseAt refuses an instant the clock has passed). */
async function stopClock(page) {
  for (let ahead = 100; ; ahead *= 2) {
    try {
      return await page.clock.pauseAt(await page.evaluate((ms) => Date.now() + ms, ahead))
    } catch (error) {
      if (ahead > 5_000) throw error
    }
  }
}

/**
 * Renders one story in one theme and returns its picture, or `skip` when the story sets its own
 * theme (a Dark story looks the same from either toolbar setting: it is taken once, in its own).
 */
async function picture({ page, errors }, origin, { id, theme }) {
  errors.length = 0
  await page.setViewportSize(size)
  // Each story starts at the same instant, the clock running.
  await page.clock.setSystemTime(start)
  await page.clock.resume()
  await page.goto(
    `${origin}/iframe.html?id=${id}&viewMode=story&globals=theme:${theme};a11y.manual:!true`,
  )
  const deadline = Date.now() + 60_000
  const ownTheme = (progress) => !progress.globals.theme || progress.globals.theme === theme
  let progress = await page.evaluate(storyProgress)
  for (;;) {
    if (!ownTheme(progress)) return 'skip'
    const renders = [...new Set(progress.phases.flatMap(([render]) => render ?? []))]
    const first = progress.phases.filter(([render]) => render === renders[0]).map(([, p]) => p)
    const reasons = progress.phases.filter(([render]) => render === null).map(([, why]) => why)
    if (progress.failed || first.includes('errored') || first.includes('aborted')) {
      const message = await page
        .locator('#error-message')
        .textContent({ timeout: 1_000 })
        .catch(() => '')
      throw new Error(
        `the story failed: ${reasons.join('; ') || message || errors.join('; ') || first.join(' → ')}`,
      )
    }
    if (renders.length > 1) throw new Rerendered(`rendered ${renders.length} times`)
    if (first.some((phase) => settled.has(phase))) {
      if (progress.plays && !first.includes('played')) {
        throw new Rerendered(`settled without its play function (${first.join(' → ')})`)
      }
      break
    }
    if (Date.now() > deadline) {
      throw new Error(`the story did not finish in 60 s (${first.join(' → ') || 'not started'})`)
    }
    await page.waitForTimeout(100)
    progress = await page.evaluate(storyProgress)
  }
  // A phone story (the toolbar's viewport) is taken at that phone's size.
  const phone = MINIMAL_VIEWPORTS[progress.globals.viewport?.value]?.styles
  if (phone) {
    await page.setViewportSize({ width: parseInt(phone.width), height: parseInt(phone.height) })
  }
  await page.evaluate(() => document.fonts.ready.then(() => undefined))
  // Two frames for React's last commit and layout, then time stops: nothing moves after this.
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  )
  await stopClock(page)
  const shot = await page.screenshot({ fullPage: true, animations: 'disabled', caret: 'hide' })
  const after = await page.evaluate(storyProgress)
  if (new Set(after.phases.flatMap(([render]) => render ?? [])).size > 1) {
    throw new Rerendered('rendered again while it was being taken')
  }
  return shot
}

/** Changed pixels between the reference and the picture, and the diff image when there are any. */
function compare(referenceFile, actual) {
  const expected = PNG.sync.read(readFileSync(referenceFile))
  const taken = PNG.sync.read(actual)
  if (expected.width !== taken.width || expected.height !== taken.height) {
    return {
      changed: Infinity,
      why: `size ${taken.width}×${taken.height}, reference ${expected.width}×${expected.height}`,
    }
  }
  const diff = new PNG({ width: taken.width, height: taken.height })
  const changed = pixelmatch(expected.data, taken.data, diff.data, taken.width, taken.height, {
    threshold: 0.1,
  })
  return { changed, why: `${changed} pixels changed`, diff: PNG.sync.write(diff) }
}

const siteDir = site()
if (!existsSync(path.join(siteDir, 'index.json'))) {
  console.error(`No Storybook build in ${siteDir} (its index.json): build one, or drop --site.`)
  process.exit(1)
}
const index = JSON.parse(readFileSync(path.join(siteDir, 'index.json'), 'utf8'))
const stories = Object.values(index.entries)
  .filter((entry) => entry.type === 'story')
  // A story tagged `no-visual` draws what the check cannot hold still (see the README).
  .filter((entry) => !entry.tags?.includes('no-visual'))
  .map((entry) => entry.id)
  .filter((id) => !filters.length || filters.some((word) => id.includes(word.toLowerCase())))
const shots = stories.flatMap((id) => ['light', 'dark'].map((theme) => ({ id, theme })))

rmSync(diffs, { recursive: true, force: true })
mkdirSync(references, { recursive: true })
const server = await serveStatic(siteDir)
const browser = await chromium.launch(launchOptions)
const results = { passed: 0, failed: 0, updated: 0, skipped: 0 }
/** The largest change that passed, to see how close to the budget runs come. */
let closest = { changed: 0, name: '' }
const taken = new Set()
const queue = [...shots]
const rendering = performance.now()

async function worker() {
  const tab = await openTab(browser)
  for (let shot = queue.shift(); shot; shot = queue.shift()) {
    const name = `${shot.id}.${shot.theme}`
    const file = path.join(references, `${name}.png`)
    let actual
    try {
      // A story Storybook rendered twice is taken again, twice at most, and said so.
      for (let attempt = 1; !actual; attempt++) {
        try {
          actual = await picture(tab, server.origin, shot)
        } catch (error) {
          if (!(error instanceof Rerendered) || attempt === 3) throw error
          console.log(`↺ ${name}: ${error.message}; taken again`)
        }
      }
    } catch (error) {
      results.failed++
      console.log(`✗ ${name}: ${error.message.split('\n')[0]}`)
      continue
    }
    if (actual === 'skip') {
      results.skipped++
      continue
    }
    taken.add(`${name}.png`)
    const result = existsSync(file)
      ? compare(file, actual)
      : { changed: Infinity, why: 'no reference image' }
    if (result.changed <= budget) {
      results.passed++
      if (result.changed > closest.changed) closest = { changed: result.changed, name }
    } else if (options.update) {
      writeFileSync(file, actual)
      results.updated++
      console.log(`↻ ${name}: ${result.why}, reference updated`)
    } else {
      results.failed++
      mkdirSync(diffs, { recursive: true })
      writeFileSync(path.join(diffs, `${name}.png`), actual)
      if (result.diff) writeFileSync(path.join(diffs, `${name}.diff.png`), result.diff)
      console.log(
        `✗ ${name}: ${result.why} (budget ${budget}); see ${path.relative(root, diffs)}/${name}${result.diff ? '.diff' : ''}.png`,
      )
    }
  }
  await tab.close()
}

try {
  await Promise.all(Array.from({ length: Number(options.workers) }, worker))
} finally {
  await browser.close()
  await server.close()
}

// A full update also drops the pictures of stories that no longer exist.
if (options.update && !filters.length && !results.failed) {
  for (const file of readdirSync(references)) {
    if (!taken.has(file)) {
      rmSync(path.join(references, file))
      console.log(`− ${file}: no such story any more, reference removed`)
    }
  }
}
const bytes = readdirSync(references).reduce(
  (sum, file) => sum + readFileSync(path.join(references, file)).length,
  0,
)
console.log(
  `\n${stories.length} stories, ${shots.length - results.skipped} pictures in ${seconds(rendering)} ` +
    `(${seconds(started)} in all); references: ${readdirSync(references).length} files, ` +
    `${(bytes / 1e6).toFixed(2)} MB`,
)
if (closest.changed)
  console.log(`Largest change within the budget: ${closest.changed} px, ${closest.name}`)
console.log(
  `${results.passed} passed, ${results.failed} failed` +
    (options.update ? `, ${results.updated} updated` : ''),
)
if (!options.update && results.failed) {
  console.log('Changed on purpose? `pnpm test:visual --update` takes them as the new references.')
}
process.exit(results.failed ? 1 : 0)
