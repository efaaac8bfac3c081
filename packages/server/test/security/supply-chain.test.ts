/**
 * Supply chain. The three published packages are built, packed exactly as `pnpm publish` would
 * pack them, and their tarballs checked: only an allowlist of files, `publint` clean, `attw` (are
 * the types wrong) clean for `import` and `require` alike, and installed into a fresh project
 * outside the workspace, where a CommonJS host and an ESM host each load every entry, serve the
 * BFF and render the kit, and `npx @shareflow/server emulator` starts. Every dependency in the lockfile
 * is looked up on disk for install scripts: each one must be reviewed here, and only the
 * reviewed ones may run (pnpm's `allowBuilds`), none of them downloading anything.
 */
import { execFile, spawn } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
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

/** Built output: each entry's `.js`, its `require()` twin `.cjs`, and their declarations. */
const BUILT = /^dist\/[\w.-]+\.(c?js|d\.c?ts|js\.map)$/

/** The tarballs packed below, by package. */
const tarballs: Partial<Record<keyof typeof published, string>> = {}

/** What each tarball may hold; anything else (sources, tests, specs, configs) is a leak. */
const published = {
  contract: [/^package\.json$/, /^(README|LICENSE|CHANGELOG)/i, BUILT],
  server: [
    /^package\.json$/,
    /^(README|LICENSE|CHANGELOG)/i,
    /^dist\/((emulator|node|ops)\/)?[\w.-]+\.(c?js|d\.c?ts|js\.map)$/,
  ],
  react: [/^package\.json$/, /^(README|LICENSE|CHANGELOG)/i, BUILT, /^src\/styles\.css$/],
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
      tarballs[name] = tarball
    })

    it('holds only its allowlisted files, built output included', async () => {
      const files = await tarballFiles(tarball)
      const unexpected = files.filter(
        (file) => !published[name].some((allowed) => allowed.test(file)),
      )
      expect(unexpected).toEqual([])
      expect(files).toContain('dist/index.js')
      expect(files).toContain('dist/index.d.ts')
      expect(files).toContain('dist/index.cjs')
      expect(files).toContain('dist/index.d.cts')
      expect(files).toContain('LICENSE')
      expect(files).toContain('CHANGELOG.md')
      // Workspace links are rewritten to versions, and the source condition stays home.
      const manifest = JSON.parse(
        (await run('tar', ['-xzOf', tarball, 'package/package.json'])).stdout,
      ) as {
        dependencies?: Record<string, string>
        exports: unknown
        scripts?: Record<string, string>
        repository?: { url?: string; directory?: string }
        homepage?: string
        sideEffects?: unknown
      }
      expect(manifest.repository?.directory).toBe(`packages/${name}`)
      expect(manifest.homepage).toMatch(/^https:\/\//)
      expect(manifest.sideEffects).toBeDefined()
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

    it('passes attw for import and require', { timeout: 120_000 }, async () => {
      const attw = path.join(ROOT, 'node_modules/.bin/attw')
      // A stylesheet has no types to resolve; everything else must.
      const exclude = name === 'react' ? ['--exclude-entrypoints', './styles.css'] : []
      const result = await run(attw, [tarball, '--format', 'json', ...exclude], {
        maxBuffer: 32 << 20,
      }).catch((error: { stdout?: string }) => error)
      const report = JSON.parse(result.stdout ?? '{}') as {
        analysis?: { problems?: Array<{ resolutionKind?: string }> }
      }
      // Resolution without `exports` (node10, TypeScript's `moduleResolution: node`) cannot see
      // subpaths at all; Node 20.19 and every current bundler read `exports`.
      const problems = (report.analysis?.problems ?? [{ resolutionKind: 'no report' }]).filter(
        (problem) => problem.resolutionKind !== 'node10',
      )
      expect(problems).toEqual([])
    })
  },
)

const PACKAGING = path.join(ROOT, 'packages/server/test/packaging')

/** A version the workspace itself installs, so the fresh project reuses pnpm's store. */
function workspaceVersion(name: string): string {
  for (const manifest of ['packages/server/package.json', 'packages/react/package.json']) {
    const { devDependencies = {} } = JSON.parse(
      readFileSync(path.join(ROOT, manifest), 'utf8'),
    ) as { devDependencies?: Record<string, string> }
    if (devDependencies[name]) return devDependencies[name]
  }
  throw new Error(`no workspace version of ${name}`)
}

/** Runs `command` in `cwd` until it prints a line matching `ready`; returns the match and a stop. */
function startUntil(command: string, args: string[], cwd: string, ready: RegExp) {
  // Its own process group, so stopping it also stops the node process npx starts.
  const child = spawn(command, args, {
    cwd,
    detached: true,
    env: {
      ...process.env,
      PERSONA_EMULATOR_PORT: '0',
      COINFLOW_EMULATOR_PORT: '0',
      COINFLOW_UI_EMULATOR_PORT: '0',
    },
  })
  const stop = () => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM')
  }
  const matched = new Promise<RegExpExecArray>((resolve, reject) => {
    let output = ''
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      const match = ready.exec(output)
      if (match) resolve(match)
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.once('exit', (code) => reject(new Error(`exited ${code} before ready:\n${output}`)))
  })
  return { matched, stop }
}

describe('a fresh project installing the tarballs', () => {
  const project = path.join(staging, 'fresh-host')
  /** The JSON line a host script prints. */
  const runHost = async (script: string) => {
    const { stdout } = await run(process.execPath, [script], { cwd: project })
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>
  }

  it(
    'installs them with their dependencies, outside the workspace',
    { timeout: 240_000 },
    async () => {
      expect(Object.keys(tarballs).sort()).toEqual(['contract', 'react', 'server'])
      mkdirSync(project, { recursive: true })
      const local = (name: keyof typeof published) => `file:${tarballs[name]}`
      const thirdParty = ['hono', 'zod', 'react', 'react-dom', '@tanstack/react-query']
      writeFileSync(
        path.join(project, 'package.json'),
        JSON.stringify({
          name: 'fresh-host',
          private: true,
          dependencies: {
            '@shareflow/contract': local('contract'),
            '@shareflow/server': local('server'),
            '@shareflow/react': local('react'),
            ...Object.fromEntries(thirdParty.map((name) => [name, workspaceVersion(name)])),
          },
          // The server's and the kit's `@shareflow/contract` is this tarball, never the registry.
          pnpm: { overrides: { '@shareflow/contract': local('contract') } },
        }),
      )
      for (const script of ['host.cjs', 'host.mjs']) {
        copyFileSync(path.join(PACKAGING, script), path.join(project, script))
      }
      // The store already holds every package; only metadata it lacks comes from the registry.
      await pnpm(['install', '--prefer-offline', '--ignore-workspace'], project)
      expect(existsSync(path.join(project, 'node_modules/.bin/shareflow-server'))).toBe(true)
    },
  )

  it.each([
    // German messages, from their own subpath.
    ['host.cjs', 'from require() in a CommonJS host', { functions: true }, 'Verifizierung'],
    [
      'host.mjs',
      'from import, one instance shared with require()',
      { oneInstance: true },
      'Checking',
    ],
  ])(
    'serves the BFF and renders the kit (%s) %s',
    { timeout: 60_000 },
    async (script, _how, loaded, text) => {
      const result = await runHost(script)
      expect(result).toMatchObject({ status: 200, kyc: 'unverified', ...loaded })
      expect(result.html).toContain('data-state="loading"')
      expect(result.html).toContain(text)
    },
  )

  it('starts the emulator with npx @shareflow/server emulator', { timeout: 60_000 }, async () => {
    const emulator = startUntil(
      'npx',
      ['--no-install', '@shareflow/server', 'emulator'],
      project,
      /Persona API\s+(http:\/\/127\.0\.0\.1:\d+)/,
    )
    try {
      const [, persona] = await emulator.matched
      const control = await fetch(`${persona}/__emulator`)
      expect(control.status).toBe(200)
      expect(await control.json()).toHaveProperty('endpoints')
    } finally {
      emulator.stop()
    }
  })
})

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
  // The runtimes the host tests start (test/hosts/runtimes.test.ts). Each postinstall first looks
  // for the binary pnpm installed as its platform package, and fetches it only when that is missing.
  bun: {
    runs: true,
    why: 'postinstall links bun.exe from @oven/bun-<platform>; it downloads only when that package is missing',
  },
  deno: {
    runs: true,
    why: 'postinstall copies the binary from @deno/<platform>; without that package it fails',
  },
  workerd: {
    runs: true,
    why: 'postinstall checks the binary of @cloudflare/workerd-<platform>; it downloads only when that package is missing',
  },
}

/** The platform packages whose presence keeps the reviewed postinstalls from downloading. */
const platformPackages = [
  `@esbuild/${process.platform}-${process.arch}`,
  `@oven/bun-${process.platform}-${process.arch}`,
  `@deno/${process.platform}-${process.arch}-glibc`,
  `@cloudflare/workerd-${process.platform}-${process.arch === 'x64' ? '64' : process.arch}`,
]

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
    // The reviewed postinstalls download only when their platform package is absent: each is present.
    for (const platformPackage of platformPackages) {
      const locked = Object.keys(lockfile.packages).filter((key) =>
        key.startsWith(`${platformPackage}@`),
      )
      expect(locked.length, platformPackage).toBeGreaterThan(0)
      expect(
        readdirSync(store).some((entry) =>
          entry.startsWith(`${platformPackage.replace('/', '+')}@`),
        ),
        platformPackage,
      ).toBe(true)
    }
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
