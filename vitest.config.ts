import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'
import { shareflowSandbox } from './packages/react/sandbox/vite-plugin.mjs'
import { launchOptions } from './scripts/chromium.mjs'

const root = path.dirname(fileURLToPath(import.meta.url))

// Workspace packages resolve to their TypeScript sources through this export condition, so tests,
// stories and the demo never need a build first (TanStack Query does the same).
const resolve = { conditions: ['@shareflow/source', 'module', 'browser', 'development|production'] }
const nodeResolve = {
  conditions: ['@shareflow/source', 'module', 'node', 'development|production'],
}

// Vitest refuses one browser object shared by two projects, so each project gets a fresh one.
const browser = () => ({
  enabled: true,
  headless: true,
  provider: playwright({ launchOptions }),
  instances: [{ browser: 'chromium' as const }],
})

const hasStories = (() => {
  const walk = (dir: string): boolean =>
    existsSync(dir) &&
    readdirSync(dir, { withFileTypes: true }).some((entry) =>
      entry.isDirectory() ? walk(path.join(dir, entry.name)) : entry.name.endsWith('.stories.tsx'),
    )
  return walk(path.join(root, 'packages/react/src'))
})()

const projects: TestProjectInlineConfiguration[] = [
  {
    resolve: nodeResolve,
    test: {
      name: 'contract',
      environment: 'node',
      include: ['packages/contract/src/**/*.test.ts'],
    },
  },
  {
    resolve: nodeResolve,
    ssr: {
      resolve: { conditions: nodeResolve.conditions, externalConditions: ['@shareflow/source'] },
    },
    test: {
      name: 'server',
      environment: 'node',
      include: ['packages/server/{src,test}/**/*.test.ts'],
      setupFiles: ['packages/server/test/fast-check-seed.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  },
  {
    plugins: [react()],
    resolve,
    test: {
      name: 'react',
      environment: 'happy-dom',
      include: ['packages/react/src/**/*.test.{ts,tsx}'],
      exclude: ['**/*.browser.test.*', '**/node_modules/**'],
    },
  },
  {
    // The kit's React 18 run, in Chromium: react and react-dom aliased to the 18.3 dev
    // dependencies (Vite pre-bundles React Query and react-dom with the aliases applied).
    plugins: [react(), shareflowSandbox()],
    resolve: {
      ...resolve,
      alias: {
        react: path.join(root, 'packages/react/node_modules/react-18'),
        'react-dom': path.join(root, 'packages/react/node_modules/react-dom-18'),
      },
    },
    test: {
      name: 'react18',
      include: ['packages/react/src/compat.test.tsx'],
      env: { SHAREFLOW_REACT: '18' },
      browser: browser(),
    },
  },
  {
    // The kit against the emulator in the page, Coinflow's hosted pages included.
    plugins: [react(), shareflowSandbox()],
    resolve,
    test: {
      name: 'browser',
      include: ['packages/react/src/**/*.browser.test.{ts,tsx}'],
      browser: browser(),
    },
  },
  {
    resolve: nodeResolve,
    ssr: {
      resolve: { conditions: nodeResolve.conditions, externalConditions: ['@shareflow/source'] },
    },
    test: {
      name: 'e2e',
      environment: 'node',
      include: ['apps/demo/e2e/**/*.e2e.test.ts', 'apps/next/e2e/**/*.e2e.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      fileParallelism: false,
    },
  },
  {
    resolve: nodeResolve,
    ssr: {
      resolve: { conditions: nodeResolve.conditions, externalConditions: ['@shareflow/source'] },
    },
    test: {
      // `pnpm bench --quick`: every section still runs and yields every figure.
      name: 'bench',
      environment: 'node',
      include: ['bench/**/*.test.ts'],
      testTimeout: 300_000,
      hookTimeout: 300_000,
    },
  },
]

if (hasStories) {
  const { storybookTest } = await import('@storybook/addon-vitest/vitest-plugin')
  projects.push({
    plugins: [storybookTest({ configDir: path.join(root, '.storybook') })],
    resolve,
    test: { name: 'storybook', browser: browser() },
  })
}

export default defineConfig({ test: { projects, passWithNoTests: true } })
