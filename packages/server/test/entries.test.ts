/**
 * The package's entry points, one per audience (package.json `exports`), each bundled with esbuild
 * the way a host's bundler would see it: every entry builds, the main entry reaches no emulator
 * code at all (not even through a dynamic `import()`), and `./node` reaches it only through one,
 * so a host with vendor keys never loads it. The main entry's minified size is printed.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type BuildOptions, type Metafile } from 'esbuild'
import { describe, expect, it } from 'vitest'

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const manifest = JSON.parse(readFileSync(path.join(SERVER, 'package.json'), 'utf8')) as {
  exports: Record<string, { '@shareflow/source': string }>
  dependencies: Record<string, string>
  peerDependencies?: Record<string, string>
}

/** Each entry's source, by its `exports` key. */
const entries = Object.fromEntries(
  Object.entries(manifest.exports).map(([key, value]) => [key, value['@shareflow/source']]),
)

/** What a host installs beside the package stays out of the bundle; the contract goes in. */
const external = [
  ...Object.keys(manifest.peerDependencies ?? {}),
  ...Object.keys(manifest.dependencies),
]
  .filter((name) => !name.startsWith('@shareflow/'))
  .sort()

const EMULATOR = 'src/emulator/'

async function bundle(entry: string, options: BuildOptions = {}) {
  const result = await build({
    absWorkingDir: SERVER,
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    minify: true,
    metafile: true,
    conditions: ['@shareflow/source'],
    external,
    logLevel: 'silent',
    ...options,
  })
  return { ...result, metafile: result.metafile!, outputFiles: result.outputFiles! }
}

const inputsOf = (metafile: Metafile) => Object.keys(metafile.inputs)

describe('entry points', () => {
  it('has the audiences it documents', () => {
    expect(Object.keys(entries).sort()).toEqual(
      [
        '.',
        './emulator',
        './express',
        './fastify',
        './module',
        './node',
        './ops',
        './sandbox',
        './testing',
        './vendors',
      ].sort(),
    )
    expect(external).toEqual([
      '@hono/node-server',
      '@opentelemetry/api',
      'express',
      'fastify',
      'hono',
      'ioredis',
      'zod',
    ])
  })

  it('gives each export one entry, but for the clocks the emulator also has', async () => {
    const homes = new Map<string, string[]>()
    for (const [key, source] of Object.entries(entries)) {
      const exported = Object.keys((await import(path.join(SERVER, source))) as object)
      for (const name of exported) homes.set(name, [...(homes.get(name) ?? []), key])
    }
    expect(Object.fromEntries([...homes].filter(([, keys]) => keys.length > 1))).toEqual({
      // The host's clock (`clock.ts`) and the emulator's own, of the same shape.
      systemClock: ['.', './emulator'],
      // The emulator's manual clock, which a host's tests hand to the sandbox app too.
      createManualClock: ['./testing', './emulator'],
    })
  })

  it('keeps every emulator module out of the main entry, dynamic imports included', async () => {
    const { metafile, outputFiles } = await bundle(entries['.']!)
    const inputs = inputsOf(metafile)
    expect(inputs).toContain('src/app.ts')
    expect(inputs.filter((input) => input.includes(EMULATOR))).toEqual([])
    expect(inputs.filter((input) => input.includes('node_modules'))).toEqual([])
    // Web Standards only: nothing but the peers is left to import.
    const imported = Object.values(metafile.outputs).flatMap((output) =>
      output.imports.filter((i) => i.external).map((i) => i.path.split('/')[0]),
    )
    expect([...new Set(imported)].sort()).toEqual(['hono', 'zod'])
    console.log(`main entry: ${outputFiles[0]!.contents.byteLength} bytes minified`)
  })

  it.each(Object.keys(entries).filter((key) => key !== '.'))('builds %s', async (key) => {
    const { errors, outputFiles, metafile } = await bundle(entries[key]!)
    expect(errors).toEqual([])
    expect(outputFiles[0]!.contents.byteLength).toBeGreaterThan(0)
    expect(inputsOf(metafile)).toContain(entries[key]!.replace(/^\.\//, ''))
  })

  it('loads the emulator from ./node only through a dynamic import', async () => {
    const { metafile } = await bundle(entries['./node']!, {
      splitting: true,
      outdir: 'entries-test-out',
    })
    const outputs = metafile.outputs
    const [entryChunk] = Object.entries(outputs).find(([, output]) => output.entryPoint)!
    // Every chunk the entry loads before any dynamic import runs.
    const loaded = new Set<string>()
    const visit = (chunk: string) => {
      if (loaded.has(chunk)) return
      loaded.add(chunk)
      for (const i of outputs[chunk]!.imports) {
        if (!i.external && i.kind === 'import-statement') visit(i.path)
      }
    }
    visit(entryChunk)
    const inputsIn = (chunks: Iterable<string>) =>
      [...chunks].flatMap((chunk) => Object.keys(outputs[chunk]!.inputs))
    expect(inputsIn(loaded).filter((input) => input.includes(EMULATOR))).toEqual([])
    const lazy = Object.keys(outputs).filter((chunk) => !loaded.has(chunk))
    expect(inputsIn(lazy)).toContain('src/sandbox.ts')
    expect(inputsIn(lazy).some((input) => input.includes(EMULATOR))).toBe(true)
  })
})
