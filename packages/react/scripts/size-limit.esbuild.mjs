// esbuild options for `size-limit` (see /.size-limit.json): the kit's sources bundled the way an
// app's bundler would. Whatever the kit loads with `import()` (Coinflow's page and SDK, the theme
// compressor) is left out: it is a lazy chunk, fetched only when a user first needs it.
// Set SHAREFLOW_SIZE_OUT to keep the bundle for inspection.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const lazyChunksApart = {
  name: 'lazy-chunks-apart',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
    )
  },
}

export default {
  entryPoints: [fileURLToPath(new URL('./size-entry.ts', import.meta.url))],
  outdir: process.env.SHAREFLOW_SIZE_OUT ?? mkdtempSync(join(tmpdir(), 'shareflow-size-')),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  minify: true,
  jsx: 'automatic',
  conditions: ['@shareflow/source'],
  external: ['react', 'react-dom', 'react/jsx-runtime', '@tanstack/react-query'],
  plugins: [lazyChunksApart],
  metafile: true,
  write: true,
  logLevel: 'error',
}
