// The README's picture of the Storybook: the static build (`pnpm build-storybook`) served by a
// plain file server, opened in Chromium, one story shown once the emulator in the page has
// answered. Run `node scripts/storybook-screenshot.mjs` after a build to take it again.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { launchOptions } from './chromium.mjs'
import { serveStatic } from './static-site.mjs'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const site = path.join(root, 'storybook-static')
const out = path.join(root, 'docs/storybook.png')

if (!existsSync(path.join(site, 'index.html'))) {
  console.error('No storybook-static/: run `pnpm build-storybook` first.')
  process.exit(1)
}

const server = await serveStatic(site)

const browser = await chromium.launch(launchOptions)
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await page.goto(`${server.origin}/?path=/story/components-payoutquote--ready`)
  const preview = page.frameLocator('#storybook-preview-iframe')
  await preview.getByRole('radio', { name: 'Instant transfer' }).waitFor({ timeout: 30_000 })
  await page.screenshot({ path: out })
  console.log(`Wrote ${path.relative(root, out)}`)
} finally {
  await browser.close()
  await server.close()
}
