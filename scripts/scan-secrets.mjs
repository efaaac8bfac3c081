// Builds every artifact that reaches a browser (the React package with tsdown, the demo with
// Vite, the static Storybook when .storybook/main.ts exists) with real-looking vendor keys in the
// environment, then scans every file of the output for them and for anything shaped like a
// secret. Exit 0 means zero secrets; 1 means a leak (or a build that failed, which proves nothing).
//
//   node scripts/scan-secrets.mjs            build everything, scan, report
//   node scripts/scan-secrets.mjs --dir DIR  scan DIR only (no builds)
//   --json                                   end with one JSON line: artifacts, files, findings
//
// The keys are fresh random values each run, set under their own names and with every prefix a
// bundler inlines from the environment (VITE_, STORYBOOK_, TSDOWN_), so finding one means the
// build pulled it in; the patterns catch secrets that did not come from this run's environment.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const json = args.includes('--json')
const dirArg = args.includes('--dir') ? args[args.indexOf('--dir') + 1] : undefined

const hex = (bytes) => randomBytes(bytes).toString('hex')

/** This run's keys, each random but in its vendor's format (the prefixed ones match `patterns`). */
const fakeSecrets = {
  PERSONA_API_KEY: `persona_production_${hex(24)}`,
  PERSONA_WEBHOOK_SECRET: `wbhsec_${hex(20)}`,
  COINFLOW_API_KEY: `coinflow_prod_${hex(24)}`,
  COINFLOW_WEBHOOK_KEY: hex(32),
}
const PREFIXES = ['', 'VITE_', 'STORYBOOK_', 'TSDOWN_']
const ids = {
  PERSONA_TEMPLATE_ID: `itmpl_${hex(12)}`,
  PERSONA_CONNECTION_ID: `cxn_${hex(12)}`,
  COINFLOW_MERCHANT_ID: `merchant-${hex(6)}`,
  COINFLOW_ENV: 'prod',
}

/** Anything shaped like a secret, whoever put it there. */
const patterns = [
  ['Persona API key', /\bpersona_(?:sandbox|production)_[A-Za-z0-9_]{16,}/g],
  ['Persona webhook secret', /\bwbhsec_[A-Za-z0-9_]{16,}/g],
  ['Coinflow-style API key', /\b(?:coinflow|cf)_(?:prod|live|sandbox)_[A-Za-z0-9_]{16,}/g],
  ['Stripe-style secret key', /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}/g],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/g],
  ['signed JWT', /\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{20,}/g],
]

/**
 * Names the in-browser emulator accepts (`sandboxCredentials` in packages/server/src/sandbox.ts):
 * public by design, they open nothing but the emulator. Read from the source so they cannot drift.
 */
function publicSandboxNames() {
  const file = path.join(ROOT, 'packages/server/src/sandbox.ts')
  if (!existsSync(file)) return new Set()
  const source = readFileSync(file, 'utf8')
  const block = source.slice(source.indexOf('export const sandboxCredentials'))
  const end = block.indexOf('} as const')
  return new Set([...block.slice(0, end).matchAll(/'([^']+)'/g)].map((m) => m[1]))
}

const TEXT = /\.(m?js|cjs|css|html?|map|json|txt|svg|d\.ts|d\.mts|webmanifest|xml)$/i

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* walk(full)
    else if (entry.isFile()) yield full
  }
}

/** Scans every text file under `dir`; returns how much it read and what it found. */
function scan(name, dir, allowed) {
  const found = []
  let files = 0
  let bytes = 0
  let passedOver = 0
  for (const file of walk(dir)) {
    if (!TEXT.test(file)) continue
    const text = readFileSync(file, 'utf8')
    files++
    bytes += statSync(file).size
    const where = path.relative(dir, file)
    for (const [env, value] of Object.entries(fakeSecrets)) {
      if (text.includes(value))
        found.push({ artifact: name, file: where, kind: `${env} from the environment` })
    }
    for (const [kind, pattern] of patterns) {
      for (const match of text.matchAll(pattern)) {
        if (allowed.has(match[0])) {
          passedOver++
          continue
        }
        // Never print a secret: its first characters are enough to find it.
        found.push({ artifact: name, file: where, kind, sample: `${match[0].slice(0, 12)}…` })
      }
    }
  }
  return { name, files, bytes, found, passedOver }
}

function build(label, command, argv, cwd, env) {
  const started = Date.now()
  const result = spawnSync(command, argv, {
    cwd,
    env: { ...process.env, ...env },
    stdio: json ? ['ignore', 'ignore', 'pipe'] : 'inherit',
    encoding: 'utf8',
  })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (result.status !== 0) {
    console.error(`✗ ${label}: build failed after ${seconds}s`)
    if (result.stderr) console.error(result.stderr.slice(-4000))
    return false
  }
  if (!json) console.log(`✓ ${label} built in ${seconds}s`)
  return true
}

const environment = {
  ...Object.fromEntries(
    PREFIXES.flatMap((prefix) =>
      Object.entries({ ...fakeSecrets, ...ids }).map(([key, value]) => [`${prefix}${key}`, value]),
    ),
  ),
  NODE_ENV: 'production',
  CI: 'true',
  STORYBOOK_DISABLE_TELEMETRY: '1',
}

const allowed = publicSandboxNames()
const artifacts = []
let buildsFailed = false
let workDir

if (dirArg) {
  artifacts.push([path.basename(dirArg), path.resolve(dirArg)])
} else {
  workDir = mkdtempSync(path.join(tmpdir(), 'shareflow-scan-'))
  const bin = (dir, name) => path.join(ROOT, dir, 'node_modules/.bin', name)
  const react = path.join(workDir, 'react')
  const demo = path.join(workDir, 'demo')
  const storybook = path.join(workDir, 'storybook')
  buildsFailed ||= !build(
    '@shareflow/react (tsdown)',
    bin('packages/react', 'tsdown'),
    ['--out-dir', react, '--log-level', 'error'],
    path.join(ROOT, 'packages/react'),
    environment,
  )
  artifacts.push(['@shareflow/react', react])
  buildsFailed ||= !build(
    'demo (vite)',
    bin('apps/demo', 'vite'),
    ['build', '--outDir', demo, '--emptyOutDir', '--mode', 'production', '--logLevel', 'error'],
    path.join(ROOT, 'apps/demo'),
    environment,
  )
  artifacts.push(['demo', demo])
  if (existsSync(path.join(ROOT, '.storybook/main.ts'))) {
    buildsFailed ||= !build(
      'Storybook (static)',
      bin('.', 'storybook'),
      [
        'build',
        '--config-dir',
        '.storybook',
        '--output-dir',
        storybook,
        '--quiet',
        '--disable-telemetry',
      ],
      ROOT,
      environment,
    )
    artifacts.push(['storybook', storybook])
  }
}

const results = artifacts
  .filter(([, dir]) => existsSync(dir))
  .map(([name, dir]) => scan(name, dir, allowed))
if (workDir) rmSync(workDir, { recursive: true, force: true })

const findings = results.flatMap((result) => result.found)
for (const result of results) {
  const kib = Math.round(result.bytes / 1024)
  const sandbox = result.passedOver
    ? ` (${result.passedOver} public sandbox names passed over)`
    : ''
  console.log(
    `${result.name}: ${result.files} files (${kib} KiB) scanned, ${result.found.length} secrets${sandbox}`,
  )
}
for (const finding of findings) {
  console.log(
    `  LEAK ${finding.artifact}/${finding.file}: ${finding.kind}${finding.sample ? ` (${finding.sample})` : ''}`,
  )
}
const missing = artifacts.length - results.length
if (json) {
  console.log(
    JSON.stringify({
      artifacts: results.map(({ name, files, bytes, found, passedOver }) => ({
        name,
        files,
        bytes,
        secrets: found.length,
        publicSandboxNames: passedOver,
      })),
      findings,
      buildsFailed,
    }),
  )
}
process.exit(findings.length > 0 || buildsFailed || missing > 0 ? 1 : 0)
