import { defineConfig } from 'tsdown'
import { requireEntries } from '../../scripts/require-entries.mjs'

// Emits `dist/index.js` and `dist/index.d.ts`, and their `require()` twins `.cjs` and `.d.cts`:
// the files package.json's `exports` name.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  platform: 'neutral',
  sourcemap: true,
  dts: true,
  clean: true,
  onSuccess: requireEntries(['index']),
})
