// The one test command (`pnpm test`): format check, typecheck, then every vitest project
// (contract, server, react, browser, storybook, e2e), then the visual check of every story
// (test/visual: `pnpm test:visual --update` takes new reference images). It ends with a plain
// "N passed, N failed" line, which is what CI counts.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'

const run = (label, cmd, args) => {
  console.log(`\n▶ ${label}`)
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: process.env })
  return result.status === 0
}

process.env.CI ??= 'true'
process.env.STORYBOOK_DISABLE_TELEMETRY = '1'

const steps = []
steps.push([
  'system programs (chromium, redis-server)',
  run('system programs', 'bash', ['scripts/system-deps.sh']),
])
steps.push([
  'format',
  run('format (prettier --check)', 'prettier', ['--check', '.', '--log-level', 'warn']),
])
const projects = [
  'packages/contract',
  'packages/server',
  'packages/react',
  'apps/demo',
  'apps/next',
  'apps/next/e2e',
  '.storybook',
  'bench',
].filter((dir) => existsSync(`${dir}/tsconfig.json`))
steps.push([
  'typecheck',
  projects
    .map((dir) => run(`typecheck ${dir}`, 'tsc', ['-p', `${dir}/tsconfig.json`, '--noEmit']))
    .every(Boolean),
])

rmSync('.vitest.json', { force: true })
const extra = process.argv.slice(2)
steps.push([
  'tests',
  run('tests (vitest)', 'vitest', [
    'run',
    '--reporter=default',
    '--reporter=json',
    '--outputFile.json=.vitest.json',
    ...extra,
  ]),
])

steps.push([
  'visual',
  run('visual check (every story, light and dark)', 'node', ['test/visual/run.mjs']),
])

let passed = 0
let failed = 0
try {
  const report = JSON.parse(readFileSync('.vitest.json', 'utf8'))
  passed = report.numPassedTests
  failed = report.numFailedTests
  // A file that fails before any test runs (a broken import, a failing beforeAll) has no failed
  // test in it; count it once so the summary line never reads "0 failed" on a red run.
  failed += report.testResults.filter(
    (file) =>
      file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  ).length
} catch {
  failed += 1
}
const failedSteps = steps.filter(([, ok]) => !ok).map(([name]) => name)
// A failing format or typecheck step counts as a failed test, so the summary line never hides it.
failed += failedSteps.filter((name) => name !== 'tests').length
if (failedSteps.length) console.log(`\nFailed steps: ${failedSteps.join(', ')}`)
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failedSteps.length ? 1 : 0)
