import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const DEMO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Builds the frontend with Vite's API (no dev server: the host serves the build under its own
 * CSP, exactly as in production). Returns the output folder.
 */
export async function buildFrontend(outDir = path.join(DEMO_ROOT, 'dist')): Promise<string> {
  const { build } = await import('vite')
  // Vite keeps a NODE_ENV it finds (a test runner sets `test`), and would then ship React's
  // development build; the demo is always served as production.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({
      configFile: path.join(DEMO_ROOT, 'vite.config.ts'),
      mode: 'production',
      build: { outDir, emptyOutDir: true },
      logLevel: 'warn',
    })
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
  }
  return outDir
}
