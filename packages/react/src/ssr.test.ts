import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const root = join(import.meta.dirname, '../../..')

it('imports and renders on a server with no window, warning-free, with markup a strict CSP allows', async () => {
  // A separate plain Node process: the test environment here has a DOM, a server does not.
  const { stdout } = await promisify(execFile)(
    join(root, 'node_modules/.bin/tsx'),
    ['--conditions=@shareflow/source', 'scripts/ssr-check.tsx'],
    // The package's tsconfig (automatic JSX runtime) applies from here.
    { cwd: join(root, 'packages/react') },
  )
  const { html, warnings, hasWindow } = JSON.parse(stdout) as {
    html: string
    warnings: string[]
    hasWindow: boolean
  }
  expect(hasWindow).toBe(false)
  expect(warnings).toEqual([])
  expect(html).toContain('data-state="loading"')
  expect(html).toContain('data-theme="dark"')
  expect(html).toContain('Checking your verification…')
  // Nothing a Content-Security-Policy without 'unsafe-inline' would block.
  expect(html).not.toMatch(/\sstyle=|<style|<script|\son[a-z]+=/i)
}, 60_000)
