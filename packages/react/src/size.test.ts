// @vitest-environment node
// (esbuild checks that its TextEncoder yields real Uint8Arrays, which a DOM environment's do not.)
import { expect, it } from 'vitest'
import { measureSubject, sizeSubjects } from '../../../bench/src/size'

/** The kit's size budget: the provider, the hooks and the three components, at most 12 kB gzip up front. */
const BUDGET_BYTES = 12_000

it('keeps what loads before the kit can render within 12 kB gzip, with vendor code in lazy chunks', async () => {
  // The bench's own measurement (`pnpm bench`'s size table): the package built as published, its
  // `dist/` bundled as a host's app bundles it, and every chunk the entry imports statically, each
  // gzipped as it is served, summed; React and React Query are the host's.
  const kit = sizeSubjects.find((subject) => subject.id === 'shareflow')!
  const { initial, lazy } = await measureSubject(kit, 'stubbed')
  expect(initial.gzipBytes).toBeLessThanOrEqual(BUDGET_BYTES)

  // Nothing up front but the kit and the contract's constants (the packages of the modules the
  // initial files were built from): Coinflow's page and its theme compressor, German, the
  // live-update machinery and the verification screens (which a verified payee never sees) each
  // load when first needed (each lazy chunk named for its module).
  const upFront = new Set(initial.files.flatMap((file) => file.packages))
  expect([...upFront].sort()).toEqual(['@shareflow/contract', '@shareflow/react'])
  expect(lazy.map((chunk) => chunk.mainPackage).sort()).toEqual([
    'de',
    'event-stream',
    'gate-screen',
    'link-dialog',
    'lz-string',
  ])
}, 60_000)
