// `pnpm bench [--quick]`: the bench package's entry under tsx, with the workspace's source
// condition, so it measures the kit's TypeScript sources exactly as they are (no build needed).
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// Chromium runs the round-trip and demo sections; on a fresh machine it comes from Debian's
// packages, as for `pnpm test` (a no-op when it is already there).
spawnSync('bash', [path.join(root, 'scripts/system-deps.sh')], { stdio: 'inherit', cwd: root })
const bench = path.join(root, 'bench')
const tsx = createRequire(path.join(bench, 'package.json')).resolve('tsx/cli')
const result = spawnSync(
  process.execPath,
  [
    tsx,
    '--conditions=@shareflow/source',
    path.join(bench, 'src/main.ts'),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', cwd: root },
)
process.exit(result.status ?? 1)
