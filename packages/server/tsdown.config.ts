import { defineConfig } from 'tsdown'

// One build per entry in package.json's `exports` (`.`, `./sandbox`, `./module`, `./vendors`,
// `./testing`, `./emulator`, `./node`, `./express`, `./fastify`), as `.js` and `.d.ts`; what
// several share goes to chunks.
// Dependencies and peers stay external; the workspace contract is read from its sources.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    sandbox: 'src/sandbox.ts',
    module: 'src/module.ts',
    vendors: 'src/vendors.ts',
    testing: 'src/testing.ts',
    'emulator/index': 'src/emulator/index.ts',
    'node/index': 'src/node/index.ts',
    express: 'src/express.ts',
    fastify: 'src/fastify.ts',
  },
  format: ['esm'],
  platform: 'node',
  fixedExtension: false,
  sourcemap: true,
  dts: true,
  clean: true,
  inputOptions: { resolve: { conditionNames: ['@shareflow/source', 'import', 'default'] } },
})
