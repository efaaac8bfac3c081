import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import {
  chromium,
  type Browser,
  type BrowserContext,
  type LaunchOptions,
  type Page,
} from 'playwright-core'
import { expect } from 'vitest'
import { DEMO_ROOT } from '../server/build'

/** Debian's Chromium through playwright-core; never a downloaded browser. */
export async function launchBrowser(): Promise<Browser> {
  // The repo's one set of launch options, shared with vitest's browser projects (plain JS).
  const shared = '../../../scripts/chromium.mjs'
  const { launchOptions } = (await import(shared)) as { launchOptions: LaunchOptions }
  return chromium.launch(launchOptions)
}

export interface PageOptions {
  colorScheme?: 'light' | 'dark'
  /** The browser's language (`navigator.language`); the demo picks German for `de-DE`. */
  locale?: string
}

/**
 * A fresh context (own cookies, own storage) and page. Every CSP violation and uncaught page
 * error is collected; `assertClean()` fails the test if there were any.
 */
export async function openPage(browser: Browser, options: PageOptions = {}) {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? 'light',
    locale: options.locale ?? 'en-US',
    viewport: { width: 1280, height: 860 },
  })
  const problems: string[] = []
  const watch = (page: Page) => {
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    page.on('console', (message) => {
      const text = message.text()
      if (/Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`)
    })
  }
  context.on('page', watch)
  const page = await context.newPage()
  return {
    context,
    page,
    problems,
    assertClean() {
      expect(problems).toEqual([])
    },
  }
}

const require = createRequire(import.meta.url)
let axeSource: string | undefined

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  targets: string[]
}

/**
 * Runs axe-core (WCAG 2.0–2.2 A and AA rules) on the page as it is now. It is evaluated through
 * the DevTools protocol, which the page's CSP does not govern, so the CSP stays strict.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
  const hasAxe = await page.evaluate(() => 'axe' in window)
  if (!hasAxe) await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    })
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }))
  })
}

/** Fails with axe's findings listed, so a report says what to fix. */
export async function expectAccessible(page: Page, screen: string) {
  const violations = await axeViolations(page)
  expect(violations, `axe violations on ${screen}`).toEqual([])
}

// Every run writes here (ignored by git); the README's pictures are chosen copies one level up.
export const SCREENSHOT_DIR = path.join(DEMO_ROOT, 'e2e', 'screenshots', 'latest')

/** Saves a full-page screenshot under `e2e/screenshots/latest/<name>.png`. */
export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true })
}

export type { Browser, BrowserContext, Page }
