/**
 * Supply chain. The three published packages are built, packed exactly as `pnpm publish` would
 * pack them, and their tarballs checked: only an allowlist of files, `publint` clean, and
 * `attw` (are the types wrong) clean for an ESM-only package. Every dependency in the lockfile
 * is looked up on disk for install scripts: each one must be reviewed here, and only the
 * reviewed ones may run (pnpm's `allowBuilds`), none of them downloading anything.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const run = promisify(execFile)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
const staging = mkdtempSync(path.join(tmpdir(), 'shareflow-pack-'))
afterAll(() => rmSync(staging, { recursive: true, force: true }))

/** `pnpm` as the test was started with it, or the pinned one through npx. */
function pnpm(args: string[], cwd: string) {
  const execPath = process.env.npm_execpath
  return execPath && /pnpm/.test(execPath)
    ? run(process.execPath, [execPath, ...args], { cwd, maxBuffer: 32 << 20 })
    : run('npx', ['-y', 'pnpm@10.34.9', ...args], { cwd, maxBuffer: 32 << 20 })
}

/** What each tarball may hold; anything else (sources, tests, specs, configs) is a leak. */
const published = {
  contract: [/^package\.json$/, /^(README|LICENSE)/i, /^dist\/[\w.-]+\.(js|d\.ts|js\.map)$/],
  server: [
    /^package\.json$/,
    /^(README|LICENSE)/i,
    /^dist\/((emulator|node)\/)?[\w.-]+\.(js|d\.ts|js\.map)$/,
  ],
  react: [
    /^package\.json$/,
    /^(README|LICENSE)/i,
    /^dist\/[\w.-]+\.(js|d\.ts|js\.map)$/,
    /^src\/styles\.css$/,
  ],
} as const

/** Builds the package with its own tsdown config and packs it; returns the tarball's path. */
async function buildAndPack(name: keyof typeof published): Promise<string> {
  const dir = path.join(ROOT, 'packages', name)
  const hadDist = existsSync(path.join(dir, 'dist'))
  try {
    await run(path.join(dir, 'node_modules/.bin/tsdown'), ['--log-level', 'error'], { cwd: dir })
    const { stdout } = await pnpm(['pack', '--pack-destination', staging, '--json'], dir)
    return (JSON.parse(stdout) as { filename: string }).filename
  } finally {
    if (!hadDist) rmSync(path.join(dir, 'dist'), { recursive: true, force: true })
  }
}

async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball])
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((entry) => entry.replace(/^package\//, ''))
}

describe.each(Object.keys(published) as Array<keyof typeof published>)(
  '@shareflow/%s as published',
  (name) => {
    let tarball = ''

    it('builds and packs', { timeout: 240_000 }, async () => {
      tarball = await buildAndPack(name)
      expect(existsSync(tarball)).toBe(true)
    })

    it('holds only its allowlisted files, built output included', async () => {
      const files = await tarballFiles(tarball)
      const unexpected = files.filter(
        (file) => !published[name].some((allowed) => allowed.test(file)),
      )
      expect(unexpected).toEqual([])
      expect(files).toContain('dist/index.js')
      expect(files).toContain('dist/index.d.ts')
      // Workspace links are rewritten to versions, and the source condition stays home.
      const manifest = JSON.parse(
        (await run('tar', ['-xzOf', tarball, 'package/package.json'])).stdout,
      ) as {
        dependencies?: Record<string, string>
        exports: unknown
        scripts?: Record<string, string>
      }
      expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain('workspace:')
      expect(JSON.stringify(manifest.exports)).not.toContain('@shareflow/source')
      for (const hook of ['preinstall', 'install', 'postinstall']) {
        expect(manifest.scripts?.[hook], hook).toBeUndefined()
      }
    })

    it('passes publint, warnings included', { timeout: 60_000 }, async () => {
      const bytes = readFileSync(tarball)
      const { messages, pkg } = await publint({
        pack: {
          tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
        },
        level: 'warning',
        strict: true,
      })
      expect(messages.map((message) => formatMessage(message, pkg))).toEqual([])
    })

    it('passes attw for an ESM-only package', { timeout: 120_000 }, async () => {
      const attw = path.join(ROOT, 'node_modules/.bin/attw')
      // A stylesheet has no types to resolve; everything else must.
      const exclude = name === 'react' ? ['--exclude-entrypoints', './styles.css'] : []
      const result = await run(attw, [tarball, '--format', 'json', ...exclude], {
        maxBuffer: 32 << 20,
      }).catch((error: { stdout?: string }) => error)
      const report = JSON.parse(result.stdout ?? '{}') as {
        analysis?: { problems?: Array<{ resolutionKind?: string }> }
      }
      // ESM only, on purpose: `require()` and pre-exports resolution (node10) are out of scope.
      const problems = (report.analysis?.problems ?? [{ resolutionKind: 'no report' }]).filter(
        (problem) => problem.resolutionKind !== 'node10' && problem.resolutionKind !== 'node16-cjs',
      )
      expect(problems).toEqual([])
    })
  },
)

/** Install scripts every reviewed dependency has, and what pnpm does with them. */
const reviewedInstallScripts: Record<string, { runs: boolean; why: string }> = {
  esbuild: {
    runs: true,
    why: 'postinstall checks the platform binary pnpm installed as @esbuild/<platform>; it downloads only when that package is missing, which the check below rules out',
  },
  bufferutil: {
    runs: false,
    why: 'optional native speed-up of ws; its node-gyp build is not needed',
  },
  'utf-8-validate': { runs: false, why: 'optional native speed-up of ws; not needed' },
}

const LIFECYCLE = ['preinstall', 'install', 'postinstall'] as const

describe('install scripts', () => {
  const lockfile = parse(readFileSync(path.join(ROOT, 'pnpm-lock.yaml'), 'utf8')) as {
    packages: Record<string, { os?: string[]; cpu?: string[]; libc?: string[] }>
    snapshots: Record<string, { optional?: boolean }>
  }
  const store = path.join(ROOT, 'node_modules/.pnpm')

  /** Every installed package's manifest in pnpm's store, by `name@version`. */
  function installedManifests() {
    const found = new Map<string, { scripts?: Record<string, string>; dir: string }>()
    for (const entry of readdirSync(store)) {
      const modules = path.join(store, entry, 'node_modules')
      if (!existsSync(modules)) continue
      for (const child of readdirSync(modules)) {
        const names = child.startsWith('@')
          ? readdirSync(path.join(modules, child)).map((n) => `${child}/${n}`)
          : [child]
        for (const name of names) {
          const file = path.join(modules, name, 'package.json')
          if (!existsSync(file)) continue
          const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
            name?: string
            version?: string
            scripts?: Record<string, string>
          }
          const dir = path.join(modules, name)
          if (manifest.name && manifest.version) {
            found.set(`${manifest.name}@${manifest.version}`, { scripts: manifest.scripts, dir })
          }
        }
      }
    }
    return found
  }

  const runsHere = (meta: { os?: string[]; cpu?: string[] }) =>
    (!meta.os || meta.os.includes(process.platform)) &&
    (!meta.cpu || meta.cpu.includes(process.arch))

  it('has every locked package for this platform on disk, and reviewed every install script', () => {
    const installed = installedManifests()
    const withScripts = new Map<string, string[]>()
    const missing: string[] = []
    for (const [key, meta] of Object.entries(lockfile.packages)) {
      const id = key.replace(/\(.*$/, '')
      const manifest = installed.get(id)
      if (!manifest) {
        // Optional packages (other platforms' binaries and what only they need) may be absent.
        const optional = Object.entries(lockfile.snapshots)
          .filter(([snapshot]) => snapshot.replace(/\(.*$/, '') === id)
          .every(([, snapshot]) => snapshot.optional === true)
        if (!optional && runsHere(meta)) missing.push(id)
        continue
      }
      const hooks = LIFECYCLE.filter((hook) => manifest.scripts?.[hook])
      // node-gyp runs for a binding.gyp even with no install script written down.
      if (hooks.length === 0 && existsSync(path.join(manifest.dir, 'binding.gyp')))
        hooks.push('install')
      if (hooks.length > 0) withScripts.set(id.slice(0, id.lastIndexOf('@')), [...hooks])
    }
    expect(missing).toEqual([])
    expect([...withScripts.keys()].sort()).toEqual(Object.keys(reviewedInstallScripts).sort())
    console.log(
      `install scripts: ${Object.keys(lockfile.packages).length} locked packages, ${withScripts.size} with install scripts (${[...withScripts.keys()].join(', ')})`,
    )
  })

  it('lets pnpm run only the reviewed scripts, and none that would download', () => {
    const workspace = parse(readFileSync(path.join(ROOT, 'pnpm-workspace.yaml'), 'utf8')) as {
      allowBuilds?: Record<string, boolean>
      onlyBuiltDependencies?: string[]
    }
    const allowed = [
      ...Object.entries(workspace.allowBuilds ?? {})
        .filter(([, on]) => on)
        .map(([name]) => name),
      ...(workspace.onlyBuiltDependencies ?? []),
    ].sort()
    expect(allowed).toEqual(
      Object.entries(reviewedInstallScripts)
        .filter(([, review]) => review.runs)
        .map(([name]) => name)
        .sort(),
    )
    // esbuild's postinstall downloads only when its platform package is absent: it is present.
    const platformPackage = `@esbuild/${process.platform}-${process.arch}`
    const locked = Object.keys(lockfile.packages).filter((key) =>
      key.startsWith(`${platformPackage}@`),
    )
    expect(locked.length).toBeGreaterThan(0)
    expect(
      readdirSync(store).some((entry) => entry.startsWith(`${platformPackage.replace('/', '+')}@`)),
    ).toBe(true)
  })

  it('gives the workspace itself no install scripts', () => {
    const manifests = [
      'package.json',
      ...['contract', 'server', 'react'].map((p) => `packages/${p}/package.json`),
      'apps/demo/package.json',
      'bench/package.json',
    ]
    for (const file of manifests) {
      const scripts =
        (
          JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as {
            scripts?: Record<string, string>
          }
        ).scripts ?? {}
      for (const hook of [...LIFECYCLE, 'prepare'])
        expect(scripts[hook], `${file} ${hook}`).toBeUndefined()
    }
  })
})
