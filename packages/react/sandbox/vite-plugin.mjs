// @ts-check
/// <reference types="@vitest/browser-playwright" />
/**
 * The Vite plugin for running the kit against the in-page emulator, in Vitest browser mode and in
 * Storybook:
 * - serves the service worker that answers the hosted pages in Storybook (`hosted-sw.js`);
 * - pre-bundles what the kit imports lazily (so the dev server never reloads mid-test), and
 *   gives `@coinflowlabs/react` stand-ins for its Solana imports (see `shims/`);
 * - in Vitest, registers the `serveHostedPages` command: `http://localhost:3000` (the hosted pages
 *   of Persona and Coinflow, the only origin `CoinflowWithdraw env="local"` trusts) answers from the
 *   emulator inside the test page. Playwright intercepts each request to that origin and hands it
 *   to the page's `__shareflowHostedPages` (set by `serveHostedPages()` in `hosted.ts`), so the
 *   framed page has a real, separate origin and its forms change the same world the BFF reads.
 *   Nothing listens on the port and nothing leaves the machine.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** @param {string} name */
const shim = (name) => fileURLToPath(new URL(`./shims/${name}.mjs`, import.meta.url))

/**
 * The test frame that currently runs an emulator, per browser context: each test file runs in a
 * frame of its own, and the newest one to ask answers.
 * @type {WeakMap<object, import('playwright').Frame>}
 */
const frames = new WeakMap()

/** @type {import('vitest/node').BrowserCommand<[origin: string]>} */
async function serveHostedPages(context, origin) {
  const browserContext = /** @type {import('playwright').BrowserContext} */ (context.context)
  const registered = frames.has(browserContext)
  frames.set(browserContext, /** @type {import('playwright').Frame} */ (await context.frame()))
  if (registered) return
  await browserContext.route(`${origin}/**`, async (route) => {
    const request = route.request()
    const frame = frames.get(browserContext)
    if (!frame || frame.isDetached()) {
      // A page left over from a finished test file (a popup, a frame still loading).
      await route.abort('connectionrefused').catch(() => {})
      return
    }
    const answer = await frame
      .evaluate(
        async (input) => {
          const serve = /** @type {any} */ (globalThis).__shareflowHostedPages
          if (!serve) return { status: 503, headers: [], body: 'No emulator in this page.' }
          const response = await serve(
            new Request(input.url, {
              method: input.method,
              headers: input.headers,
              body: input.body,
              redirect: 'manual',
            }),
          )
          return {
            status: response.status,
            headers: [...response.headers],
            body: await response.text(),
          }
        },
        {
          url: request.url(),
          method: request.method(),
          headers: request.headers(),
          body: request.postData() ?? undefined,
        },
      )
      .catch(() => undefined)
    if (!answer) {
      await route.abort('connectionrefused').catch(() => {})
      return
    }
    const headers = Object.fromEntries(answer.headers)
    if (answer.status >= 300 && answer.status < 400 && headers.location) {
      // Playwright does not intercept the request a fulfilled redirect leads to (it would go to
      // whatever really listens on the port), so the redirect is made a fresh navigation.
      const target = new URL(headers.location, request.url()).href.replace(/"/g, '&quot;')
      await route
        .fulfill({
          status: 200,
          contentType: 'text/html',
          body: `<!doctype html><meta http-equiv="refresh" content="0; url=${target}">`,
        })
        .catch(() => {})
      return
    }
    // The page may be gone by now; nothing is waiting for this answer then.
    await route.fulfill({ status: answer.status, headers, body: answer.body }).catch(() => {})
  })
}

/**
 * In a Vitest browser test, the person in Persona's window (a tab the kit opened on `origin`):
 * `exit` presses Persona's Exit and closes the tab, as someone who gives up does; `close` closes
 * it. Answers how many such windows there were.
 * @type {import('vitest/node').BrowserCommand<[action: 'exit' | 'close', origin?: string]>}
 */
async function leavePersona(context, action, origin = 'http://localhost:3000') {
  const browserContext = /** @type {import('playwright').BrowserContext} */ (context.context)
  const personaWindows = () =>
    browserContext.pages().filter((page) => page.url().startsWith(`${origin}/persona/verify`))
  // A tab the kit just opened may still be on its way to Persona's page.
  for (let waited = 0; waited < 5_000; waited += 100) {
    const opening = browserContext.pages().some((page) => page.url() === 'about:blank')
    if (!opening && (action === 'close' || personaWindows().length > 0)) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const windows = personaWindows()
  for (const persona of windows) {
    if (action === 'exit') {
      await persona.getByRole('button', { name: 'Exit' }).click()
      await persona.getByRole('heading', { name: 'Verification paused' }).waitFor()
    }
    await persona.close()
  }
  return windows.length
}

const WORKER_PATH = '/shareflow-hosted-sw.js'
const worker = () => readFileSync(new URL('./hosted-sw.js', import.meta.url), 'utf8')

/** @returns {import('vite').Plugin} */
export function shareflowSandbox() {
  return {
    name: 'shareflow-sandbox',
    // Storybook's hosted pages come from a service worker (`hosted-worker.ts`), which must be
    // served from the site's root: by the dev server here, and as a file in a build.
    configureServer(server) {
      server.middlewares.use(WORKER_PATH, (_request, response) => {
        response.setHeader('Content-Type', 'text/javascript; charset=utf-8')
        response.setHeader('Service-Worker-Allowed', '/')
        response.end(worker())
      })
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: WORKER_PATH.slice(1), source: worker() })
    },
    config: () => ({
      resolve: {
        alias: { '@solana/web3.js': shim('solana-web3'), bs58: shim('bs58') },
      },
      optimizeDeps: {
        // These are the kit's dev dependencies, not the workspace root's (Vite's root): the
        // `kit > dep` form has Vite resolve each from the kit (a root dev dependency links it).
        include: [
          '@shareflow/react > lz-string',
          '@shareflow/react > @coinflowlabs/react',
          '@shareflow/react > axe-core',
          'react-dom/client',
        ],
      },
      test: { browser: { commands: { serveHostedPages, leavePersona } } },
    }),
  }
}
