// `node scripts/soak.mjs [--quick] [--seconds N] [--users N]`: a bounded soak of the BFF under
// steady mixed load with emulator faults on (see packages/server/test/security/soak.ts). Runs
// the TypeScript sources through tsx, with a GC exposed so memory is measured after collection.
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const server = path.join(root, 'packages/server')
const result = spawnSync(
  process.execPath,
  [
    '--expose-gc',
    '--import',
    path.join(server, 'node_modules/tsx/dist/loader.mjs'),
    '--conditions=@shareflow/source',
    path.join(server, 'test/security/soak-cli.ts'),
    ...process.argv.slice(2),
  ],
  { cwd: server, stdio: 'inherit' },
)
process.exit(result.status ?? 1)
