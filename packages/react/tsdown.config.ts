import { defineConfig, type UserConfig } from 'tsdown'
import { requireEntries } from '../../scripts/require-entries.mjs'

const shared: UserConfig = {
  // The main entry, and the subpaths a host imports only when it wants them (each also loads
  // lazily from the main entry, so they must not be re-exported from it: see src/coinflow.ts).
  entry: {
    index: 'src/index.ts',
    coinflow: 'src/coinflow.ts',
    persona: 'src/persona.ts',
    'locale-de': 'src/locales/de.ts',
    history: 'src/history/index.ts',
  },
  format: ['esm'],
  platform: 'neutral',
  sourcemap: true,
  // Workspace packages are read from their TypeScript sources while building.
  inputOptions: {
    resolve: { conditionNames: ['@shareflow/source', 'import', 'default'] },
    preserveEntrySignatures: 'allow-extension',
  },
}

export default defineConfig([
  {
    ...shared,
    clean: true,
    dts: false,
    // The contract's runtime is zod schemas, which do not tree-shake; the kit needs only its route
    // and header constants, so those are inlined and zod never reaches the host's bundle.
    deps: { alwaysBundle: ['@shareflow/contract'] },
  },
  // Types keep importing the contract's, so they stay one definition. Once they are written,
  // each entry gets its `require()` twin (`.cjs`, `.d.cts`).
  {
    ...shared,
    clean: false,
    dts: { emitDtsOnly: true },
    onSuccess: requireEntries(['index', 'coinflow', 'persona', 'locale-de', 'history']),
  },
])
