import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/**
 * The demo's frontend. The host server serves the build and swaps the nonce placeholder in
 * `index.html` for a fresh one per response, so the page runs under a CSP with no `unsafe-inline`.
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // Workspace packages are read from their TypeScript sources: no build step before the demo.
  resolve: { conditions: ['@shareflow/source', 'module', 'browser', 'development|production'] },
  // `NONCE_PLACEHOLDER` in server/web.ts; a literal, so the config imports nothing of the server.
  html: { cspNonce: 'SHAREFLOW_DEMO_NONCE' },
  build: { outDir: 'dist', emptyOutDir: true, reportCompressedSize: false, sourcemap: true },
  logLevel: 'warn',
})
