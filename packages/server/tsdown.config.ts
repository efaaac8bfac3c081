import { defineConfig } from 'tsdown'
import { requireEntries } from '../../scripts/require-entries.mjs'

// One build per entry in package.json's `exports` (`.`, `./sandbox`, `./module`, `./vendors`, `./ops`,
// `./testing`, `./emulator`, `./node`, `./express`, `./fastify`), as `.js` and `.d.ts`; what
// several share goes to chunks; each entry also gets its `require()` twin (`.cjs`, `.d.cts`).
// `bin` is `npx @shareflow/server`, which loads `emulator/cli` only when asked to.
// Dependencies and peers stay external; the workspace contract is read from its sources.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    sandbox: 'src/sandbox.ts',
    module: 'src/module.ts',
    vendors: 'src/vendors.ts',
    'ops/index': 'src/ops/index.ts',
    testing: 'src/testing.ts',
    'emulator/index': 'src/emulator/index.ts',
    'node/index': 'src/node/index.ts',
    express: 'src/express.ts',
    fastify: 'src/fastify.ts',
    bin: 'src/bin.ts',
    'emulator/cli': 'src/emulator/cli.ts',
  },
  format: ['esm'],
  platform: 'node',
  fixedExtension: false,
  sourcemap: true,
  dts: true,
  clean: true,
  onSuccess: requireEntries([
    'index',
    'sandbox',
    'module',
    'vendors',
    'ops/index',
    'testing',
    'emulator/index',
    'node/index',
    'express',
    'fastify',
  ]),
  inputOptions: { resolve: { conditionNames: ['@shareflow/source', 'import', 'default'] } },
})
