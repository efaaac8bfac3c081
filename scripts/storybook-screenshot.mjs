// The README's picture of the Storybook: the static build (`pnpm build-storybook`) served by a
// plain file server, opened in Chromium, one story shown once the emulator in the page has
// answered. Run `node scripts/storybook-screenshot.mjs` after a build to take it again.
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { launchOptions } from './chromium.mjs'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const site = path.join(root, 'storybook-static')
const out = path.join(root, 'docs/storybook.png')
const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
}

if (!existsSync(path.join(site, 'index.html'))) {
  console.error('No storybook-static/: run `pnpm build-storybook` first.')
  process.exit(1)
}

// Nothing but files from the folder, as any static host serves them.
const server = createServer((request, response) => {
  const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)
  let file = path.join(site, path.normalize(pathname))
  if (file.startsWith(site) && existsSync(file) && statSync(file).isDirectory()) {
    file = path.join(file, 'index.html')
  }
  if (!file.startsWith(site) || !existsSync(file)) {
    response.writeHead(404).end()
    return
  }
  response.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'text/plain' })
  createReadStream(file).pipe(response)
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())

const browser = await chromium.launch(launchOptions)
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  await page.goto(`http://localhost:${port}/?path=/story/components-payoutquote--ready`)
  const preview = page.frameLocator('#storybook-preview-iframe')
  await preview.getByRole('radio', { name: 'Instant transfer' }).waitFor({ timeout: 30_000 })
  await page.screenshot({ path: out })
  console.log(`Wrote ${path.relative(root, out)}`)
} finally {
  await browser.close()
  server.close()
}
