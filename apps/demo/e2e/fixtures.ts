import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildFrontend } from '../server/build'

/** A temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

let built: Promise<string> | undefined

/**
 * The frontend, built once per test file into a temporary folder (so a running `pnpm dev` keeps
 * its own build).
 */
export function builtFrontend(): Promise<string> {
  if (!built) {
    const out = tempDir('starfall-dist')
    process.once('exit', out.remove)
    built = buildFrontend(out.dir)
  }
  return built
}
