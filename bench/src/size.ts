/**
 * What a host app's users download: gzip bytes of `@shareflow/react` against the vendors' own React
 * kits, every subject bundled by the same esbuild call with the same flags. The host already ships
 * React and TanStack Query, so those are external for every subject alike.
 *
 * The kit is measured as a host gets it: built by its own `tsdown` config (as published) into a
 * temporary folder, and its `dist/` bundled through the package's published `exports`. Its chunks
 * are told apart by their sourcemaps: a lazy chunk goes by the last module in its map, and the
 * packages up front are those of the modules the initial files were built from.
 *
 * "Initial" is what the browser downloads before the components can render: the entry chunk and
 * every chunk it imports statically (esbuild's code splitting puts modules shared with a lazy chunk
 * in chunks of their own), each gzipped as it is served, summed. The kit's size budget in the
 * test suite (`packages/react/src/size.test.ts`) is this same measurement of the `shareflow`
 * subject, not a figure of its own.
 *
 * `@coinflowlabs/react` imports `@solana/web3.js` statically although its package.json marks that
 * peer optional, so a host must either install it or alias it to an empty module. Both are measured; the headline
 * ratio uses the alias, the cheaper of the two for the anchor.
 *
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { build, type Metafile, type Plugin } from 'esbuild'
import { benchRoot, kitRoot, repoRoot } from './paths'

export type Web3Mode = 'stubbed' | 'real'

export interface SizeSubject {
  id: string
  label: string
  /** What the host writes, as an entry module. */
  source: string
}

export interface ChunkSize {
  /** Output file, relative to the bundle's directory. */
  file: string
  minBytes: number
  gzipBytes: number
  /**
   * A lazy chunk's reason to exist: for the kit's own, the module it was split off for; for a
   * vendor's, the packages that make up a tenth or more of it.
   */
  mainPackage?: string
  /** Every package with code in the chunk (a lazy one: with what it adds), sorted. */
  packages: string[]
}

/** `node_modules/.pnpm/x/node_modules/@scope/name/…` → `@scope/name`; workspace files by folder. */
export function packageOf(input: string): string {
  const parts = input.split('node_modules/')
  const tail = parts[parts.length - 1]!
  if (parts.length > 1) {
    const [first, second] = tail.split('/')
    return first!.startsWith('@') ? `${first}/${second}` : first!
  }
  const workspace = /(?:^|\/)packages\/([^/]+)\//.exec(input)
  return workspace ? `@shareflow/${workspace[1]}` : input
}

/**
 * The kit's built `dist/`, read into memory (the build's folder is gone once it is read) and put
 * where the package's own `dist/` is (nothing is written there, and the same paths make the same
 * chunk hashes from run to run): each JavaScript file, and what it was built from, the `sources`
 * of its sourcemap relative to the repository (so `packageOf` reads them like any other input).
 */
export interface KitDist {
  dir: string
  /** Each `.js` file's text, by absolute path. */
  files: ReadonlyMap<string, string>
  /** For an esbuild input of the dist, the modules it was built from (in the map's order). */
  sourcesOf(input: string): string[] | undefined
}

function readKitDist(built: string, dir = path.join(kitRoot, 'dist')): KitDist {
  const files = new Map<string, string>()
  const sources = new Map<string, string[]>()
  for (const name of readdirSync(built).filter((name) => name.endsWith('.js'))) {
    const file = path.join(built, name)
    files.set(path.join(dir, name), readFileSync(file, 'utf8'))
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }
    sources.set(
      path.join(dir, name),
      map.sources.map((source) => path.relative(repoRoot, path.resolve(built, source))),
    )
  }
  return { dir, files, sourcesOf: (input) => sources.get(path.resolve(input)) }
}

const noKit: KitDist = { dir: '', files: new Map(), sourcesOf: () => undefined }

/**
 * A lazy chunk of the kit goes by the module it was built for (the last in its dist sourcemap, as
 * rolldown lists a chunk's own module after what it inlines); a vendor's by its main packages,
 * and a chunk that only re-exports a shared one by its file.
 */
function chunkName(
  mainPackage: string | undefined,
  file: string,
  entryPoint: string | undefined,
  kit: KitDist,
): string | undefined {
  const sources = entryPoint === undefined ? undefined : kit.sourcesOf(entryPoint)
  if (sources?.length) return path.basename(sources.at(-1)!).replace(/\.[cm]?[jt]sx?$/, '')
  return mainPackage && !mainPackage.startsWith('@shareflow/')
    ? mainPackage
    : file.replace(/-[A-Z0-9]{8}\.js$/, '')
}

/** The packages with code in `outputs`; a kit dist file counts for what it was built from. */
const packagesOf = (outputs: Metafile['outputs'][string][], kit: KitDist) =>
  [
    ...new Set(
      outputs.flatMap((output) =>
        Object.entries(output.inputs)
          // The virtual entry module is the subject's own one-line re-export, not a package.
          .filter(([input, { bytesInOutput }]) => bytesInOutput > 0 && !/^bench-entry:/.test(input))
          .flatMap(([input]) => kit.sourcesOf(input) ?? [input])
          .map(packageOf),
      ),
    ),
  ].sort()

function mainPackageOf(output: Metafile['outputs'][string], kit: KitDist): string | undefined {
  const bytes = new Map<string, number>()
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    // A kit dist file mixes modules; its bytes are the kit's.
    const name = kit.sourcesOf(input) ? '@shareflow/react' : packageOf(input)
    bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput)
  }
  const total = [...bytes.values()].reduce((sum, n) => sum + n, 0)
  const main = [...bytes.entries()]
    .filter(([, n]) => n >= total / 10)
    .sort((a, b) => b[1] - a[1])
    .map(([name]) => name)
  return main.length > 0 ? main.join(' + ') : undefined
}

export interface SubjectSize {
  id: string
  label: string
  /** Everything loaded before the first render: the entry, its static imports and CSS. */
  initial: { minBytes: number; gzipBytes: number; files: ChunkSize[] }
  /** Each chunk loaded only through `import()`, with what it pulls in beyond the initial set. */
  lazy: ChunkSize[]
}

export interface SizeResults {
  bundler: string
  flags: string
  /** The headline figures use `stubbed`; `real` installs `@solana/web3.js`. */
  subjects: Record<Web3Mode, SubjectSize[]>
}

/** The host already has these; no subject is charged for them. */
export const HOST_EXTERNALS = [
  'react',
  'react/*',
  'react-dom',
  'react-dom/*',
  '@tanstack/react-query',
]

/** What a host imports to use the whole kit: every component, the provider and every hook. */
const KIT_ENTRY = [
  'export {',
  '  ShareflowProvider, KycShareGate, PayoutQuote, WithdrawButton,',
  '  useShareflow, useShareflowSession, useKycShareGate, usePayoutQuote, useWithdraw,',
  "} from '@shareflow/react'",
  '',
].join('\n')

export const sizeSubjects: SizeSubject[] = [
  {
    id: 'shareflow',
    label: '@shareflow/react: three components, provider, hooks',
    source: KIT_ENTRY,
  },
  {
    id: 'shareflow-styled',
    label: '… plus its optional styles.css',
    source: `import '@shareflow/react/styles.css'\n${KIT_ENTRY}`,
  },
  {
    id: 'shareflow-all',
    label: '@shareflow/react, every export and subpath (Coinflow components, German, history)',
    source: [
      `export * from '@shareflow/react'`,
      `export * from '@shareflow/react/coinflow'`,
      `export { de } from '@shareflow/react/locales/de'`,
      `export * from '@shareflow/react/history'`,
      '',
    ].join('\n'),
  },
  {
    id: 'coinflow',
    label: '@coinflowlabs/react CoinflowWithdraw',
    source: `export { CoinflowWithdraw } from '@coinflowlabs/react'\n`,
  },
  {
    id: 'persona',
    label: 'persona-react Inquiry',
    source: `export { Inquiry } from 'persona-react'\n`,
  },
  {
    id: 'naive',
    label: 'naive stack: persona-react + CoinflowWithdraw',
    source: `export { Inquiry } from 'persona-react'\nexport { CoinflowWithdraw } from '@coinflowlabs/react'\n`,
  },
  {
    id: 'plaid',
    label: 'react-plaid-link usePlaidLink',
    source: `export { usePlaidLink } from 'react-plaid-link'\n`,
  },
  {
    id: 'stripe',
    label: 'Stripe Connect provider + payouts',
    source: [
      `export { ConnectComponentsProvider, ConnectPayouts } from '@stripe/react-connect-js'`,
      `export { loadConnectAndInitialize } from '@stripe/connect-js'`,
      '',
    ].join('\n'),
  },
]

/** Resolves `@solana/web3.js` to an empty module, the cheaper of a host's two ways to satisfy it. */
const stubSolanaWeb3: Plugin = {
  name: 'stub-solana-web3',
  setup(build) {
    build.onResolve({ filter: /^@solana\/web3\.js$/ }, () => ({
      path: 'solana-web3-stub',
      namespace: 'stub',
    }))
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export {}',
      loader: 'js',
    }))
  },
}

const FLAGS = {
  bundle: true,
  minify: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  define: { 'process.env.NODE_ENV': '"production"' },
  external: HOST_EXTERNALS,
  legalComments: 'none',
} as const

export const sizeFlags =
  'esbuild --bundle --minify --splitting --format=esm --platform=browser --target=es2022 ' +
  `--define:process.env.NODE_ENV="production" ${HOST_EXTERNALS.map((e) => `--external:${e}`).join(' ')}; gzip -9`

const gzipBytes = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).byteLength

/**
 * Splits a bundle into what loads up front (the entry and everything it imports statically, CSS
 * included) and each `import()` target with the static imports it adds.
 */
export function splitChunks(
  metafile: Metafile,
  entryOutput: string,
  sizeOf: (file: string) => Omit<ChunkSize, 'packages'>,
  kit: KitDist = noKit,
): Pick<SubjectSize, 'initial' | 'lazy'> {
  const outputs = metafile.outputs
  const closure = (start: string, skip: ReadonlySet<string>) => {
    const seen = new Set<string>()
    const stack = [start]
    while (stack.length) {
      const file = stack.pop()!
      if (seen.has(file) || skip.has(file)) continue
      seen.add(file)
      const output = outputs[file]
      if (!output) continue
      for (const dep of output.imports) {
        if (dep.kind === 'import-statement' && !dep.external) stack.push(dep.path)
      }
      if (output.cssBundle) stack.push(output.cssBundle)
    }
    return seen
  }
  const withPackages = (files: Iterable<string>) =>
    [...files].map((file) => ({
      ...sizeOf(file),
      packages: packagesOf(outputs[file] ? [outputs[file]] : [], kit),
    }))
  const initialFiles = closure(entryOutput, new Set())
  const initialSizes = withPackages(initialFiles)

  const lazyTargets = new Set<string>()
  for (const file of Object.keys(outputs)) {
    for (const dep of outputs[file]!.imports) {
      if (dep.kind === 'dynamic-import' && !dep.external && !initialFiles.has(dep.path)) {
        lazyTargets.add(dep.path)
      }
    }
  }
  const lazy = [...lazyTargets].sort().map((target) => {
    const added = [...closure(target, initialFiles)]
    const files = added.map(sizeOf)
    const output = outputs[target]
    const file = sizeOf(target).file
    return {
      file,
      mainPackage: chunkName(output && mainPackageOf(output, kit), file, output?.entryPoint, kit),
      minBytes: files.reduce((sum, f) => sum + f.minBytes, 0),
      gzipBytes: files.reduce((sum, f) => sum + f.gzipBytes, 0),
      packages: packagesOf(
        added.flatMap((f) => (outputs[f] ? [outputs[f]] : [])),
        kit,
      ),
    }
  })
  return {
    initial: {
      minBytes: initialSizes.reduce((sum, f) => sum + f.minBytes, 0),
      gzipBytes: initialSizes.reduce((sum, f) => sum + f.gzipBytes, 0),
      files: initialSizes,
    },
    lazy,
  }
}

/**
 * The subject's source as a virtual entry module that resolves from the bench package (so the
 * anchors come from its node_modules); nothing is written to disk.
 */
function entryModule(subject: SizeSubject): Plugin {
  return {
    name: 'bench-entry',
    setup(build) {
      build.onResolve({ filter: /^bench-entry:/ }, (args) => ({
        path: args.path,
        namespace: 'bench-entry',
      }))
      build.onLoad({ filter: /.*/, namespace: 'bench-entry' }, () => ({
        contents: subject.source,
        loader: 'js',
        resolveDir: benchRoot,
      }))
    },
  }
}

let kitBuild: Promise<KitDist> | undefined

/**
 * `@shareflow/react` built as it is published (each build of its own `tsdown.config.ts`, in
 * order), into a temporary folder that is read and removed; built once per process, however
 * many subjects import it. The config is imported here rather than loaded by tsdown, whose loader
 * would look for `tsdown` from the working directory's `node_modules` under Vitest.
 */
export function buildKit(): Promise<KitDist> {
  kitBuild ??= (async () => {
    const [{ build: tsdown }, { default: config }] = await Promise.all([
      import('tsdown'),
      import('../../packages/react/tsdown.config'),
    ])
    const built = mkdtempSync(path.join(tmpdir(), 'shareflow-react-dist-'))
    try {
      for (const options of config) {
        await tsdown({ ...options, config: false, cwd: kitRoot, outDir: built, logLevel: 'silent' })
      }
      return readKitDist(built)
    } finally {
      rmSync(built, { recursive: true, force: true })
    }
  })()
  return kitBuild
}

/** A package.json `exports` target: a file, or conditions that lead to one (nested or not). */
type ExportTarget = string | { [condition: string]: ExportTarget }

/** The file a bundler takes for `import`, as a host's bundler picks it: `import`, then `default`. */
function importFileOf(target: ExportTarget): string {
  if (typeof target === 'string') return target
  const next = target.import ?? target.default
  if (next === undefined) throw new Error(`no import condition in ${JSON.stringify(target)}`)
  return importFileOf(next)
}

/**
 * Resolves `@shareflow/react` and its subpaths through the package's published `exports`, with
 * `./dist/` read from the fresh build (anything else, the stylesheet, ships from the package).
 * The built files' imports of each other resolve within the build; their other imports (the kit's
 * peers) from the bench, as from a host's app.
 */
function kitFromDist(kit: KitDist): Plugin {
  const manifest = JSON.parse(readFileSync(path.join(kitRoot, 'package.json'), 'utf8')) as {
    publishConfig: { exports: Record<string, ExportTarget> }
  }
  const exported = manifest.publishConfig.exports
  return {
    name: 'shareflow-react-dist',
    setup(build) {
      build.onResolve({ filter: /^@shareflow\/react(\/|$)/ }, (args) => {
        const subpath = `.${args.path.slice('@shareflow/react'.length)}`
        const target = exported[subpath]
        if (!target) return { errors: [{ text: `@shareflow/react does not export ${subpath}` }] }
        const file = importFileOf(target)
        return {
          path: file.startsWith('./dist/')
            ? path.join(kit.dir, file.slice('./dist/'.length))
            : path.join(kitRoot, file),
        }
      })
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!kit.files.has(args.importer)) return undefined
        if (args.path.startsWith('.'))
          return { path: path.join(path.dirname(args.importer), args.path) }
        return build.resolve(args.path, { kind: args.kind, resolveDir: benchRoot })
      })
      build.onLoad({ filter: /\.js$/ }, (args) => {
        const contents = kit.files.get(args.path)
        return contents === undefined ? undefined : { contents, loader: 'js' }
      })
    },
  }
}

/** Bundles one subject and splits its output into what loads up front and what loads lazily. */
export async function measureSubject(subject: SizeSubject, web3: Web3Mode): Promise<SubjectSize> {
  const outdir = path.join(benchRoot, 'dist-size', web3, subject.id)
  const kit = subject.source.includes('@shareflow/react') ? await buildKit() : undefined
  const result = await build({
    ...FLAGS,
    external: [...FLAGS.external],
    entryPoints: { [subject.id]: `bench-entry:${subject.id}` },
    outdir,
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [
      entryModule(subject),
      ...(kit ? [kitFromDist(kit)] : []),
      ...(web3 === 'stubbed' ? [stubSolanaWeb3] : []),
    ],
  })
  const bytes = new Map(
    result.outputFiles.map((file) => [path.relative(process.cwd(), file.path), file.contents]),
  )
  const sizeOf = (file: string) => {
    const contents = bytes.get(file) ?? new Uint8Array()
    return {
      file: path.relative(path.relative(process.cwd(), outdir), file),
      minBytes: contents.byteLength,
      gzipBytes: gzipBytes(contents),
    }
  }
  const entryOutput = Object.keys(result.metafile.outputs).find(
    (file) => result.metafile.outputs[file]!.entryPoint !== undefined,
  )
  if (!entryOutput) throw new Error(`esbuild produced no entry output for ${subject.id}`)
  return {
    id: subject.id,
    label: subject.label,
    ...splitChunks(result.metafile, entryOutput, sizeOf, kit ?? noKit),
  }
}

export async function measureSizes(subjects = sizeSubjects): Promise<SizeResults> {
  const { version } = await import('esbuild')
  const results: SizeResults = {
    bundler: `esbuild ${version}`,
    flags: sizeFlags,
    subjects: { stubbed: [], real: [] },
  }
  // One build at a time: the machine's two cores are shared, and sizes do not depend on speed.
  for (const web3 of ['stubbed', 'real'] as const) {
    for (const subject of subjects) results.subjects[web3].push(await measureSubject(subject, web3))
  }
  return results
}
