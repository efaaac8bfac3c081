import { defineConfig } from 'tsdown'

// Emits `dist/index.js` and `dist/index.d.ts`, the files package.json's `exports` name.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  platform: 'neutral',
  sourcemap: true,
  dts: true,
  clean: true,
})
