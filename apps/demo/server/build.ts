import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const DEMO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Builds the frontend with Vite's API (no dev server: the host serves the build under its own
 * CSP, exactly as in production). Returns the output folder.
 */
export async function buildFrontend(outDir = path.join(DEMO_ROOT, 'dist')): Promise<string> {
  const { build } = await import('vite')
  await build({
    configFile: path.join(DEMO_ROOT, 'vite.config.ts'),
    build: { outDir, emptyOutDir: true },
    logLevel: 'warn',
  })
  return outDir
}
