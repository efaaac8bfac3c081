/**
 * Real HTTP servers on loopback for the bench (`@hono/node-server`), and the round-trip page
 * bundled for the browser.
 *
 * @module
 */
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { serve, type ServerType } from '@hono/node-server'
import { build } from 'esbuild'
import type { Hono } from 'hono'
import { benchRoot } from './paths'

export interface RunningServer {
  origin: string
  close(): Promise<void>
}

export function listen(fetch: Hono['fetch']): Promise<RunningServer> {
  return new Promise((resolve) => {
    const server: ServerType = serve(
      { fetch, hostname: '127.0.0.1', port: 0 },
      (info: AddressInfo) =>
        resolve({
          origin: `http://127.0.0.1:${info.port}`,
          close: () =>
            new Promise<void>((done) => {
              if ('closeAllConnections' in server) server.closeAllConnections()
              server.close(() => done())
            }),
        }),
    )
  })
}

/** The round-trip page as a host would ship it: one minified production bundle. */
export async function bundlePage(): Promise<{ js: string; css: string }> {
  const result = await build({
    entryPoints: [path.join(benchRoot, 'src/page/page.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@shareflow/source'],
    define: { 'process.env.NODE_ENV': '"production"' },
    jsx: 'automatic',
    // Never written (`write: false`); esbuild names the JS and CSS outputs after it.
    outdir: path.join(benchRoot, 'dist-page'),
    write: false,
    logLevel: 'silent',
  })
  const text = (ext: string) =>
    result.outputFiles.find((file) => file.path.endsWith(ext))?.text ?? ''
  return { js: text('.js'), css: text('.css') }
}

export const pageHtml = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Shareflow bench</title>
    <link rel="stylesheet" href="/bench/page.css" />
  </head>
  <body><div id="root"></div><script type="module" src="/bench/page.js"></script></body>
</html>`
