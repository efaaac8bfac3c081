import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const root = join(import.meta.dirname, '../../..')

it('keeps the provider, hooks and three components within 12 kB gzip, with vendor code in lazy chunks', async () => {
  const out = mkdtempSync(join(tmpdir(), 'shareflow-size-'))
  // size-limit exits 1 over budget, which is the answer we want to read, not an exception.
  const { stdout } = await promisify(execFile)(
    join(root, 'node_modules/.bin/size-limit'),
    ['--json'],
    { cwd: root, env: { ...process.env, SHAREFLOW_SIZE_OUT: out } },
  ).catch((error: { stdout: string }) => error)
  const [check] = JSON.parse(stdout) as { size: number; sizeLimit: number; passed: boolean }[]
  expect(check!.sizeLimit).toBe(12_000)
  expect(check!.size).toBeLessThanOrEqual(check!.sizeLimit)
  expect(check!.passed).toBe(true)

  const [file] = readdirSync(out)
  const entry = readFileSync(join(out, file!), 'utf8')
  // Coinflow's page, the theme compressor, German and the live-update machinery load on demand.
  expect(entry).toContain('import("./link-dialog")')
  expect(entry).toContain('import("./locales/de")')
  expect(entry).toContain('import("./event-stream")')
  expect(entry).not.toMatch(/coinflowlabs|lz-string|compressToEncodedURIComponent/)
}, 60_000)
