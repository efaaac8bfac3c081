import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NextConfig } from 'next'

const here = path.dirname(fileURLToPath(import.meta.url))
const workspace = path.resolve(here, '../..')

/**
 * Inside this repository the kit's packages are TypeScript sources with no build (their
 * `@shareflow/source` export condition). Turbopack takes no custom conditions, so each entry is
 * aliased to its source here. A host installing the published packages needs none of this.
 */
function workspaceSources(): Record<string, string> {
  const aliases: Record<string, string> = {}
  for (const name of ['contract', 'server', 'react']) {
    const dir = path.join(workspace, 'packages', name)
    const { exports } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>
    }
    for (const [subpath, target] of Object.entries(exports)) {
      const source = typeof target === 'object' ? target['@shareflow/source'] : undefined
      if (source) {
        aliases[`@shareflow/${name}${subpath.slice(1)}`] =
          `./${path.relative(here, path.join(dir, source))}`
      }
    }
  }
  return aliases
}

const nextConfig: NextConfig = {
  // `pnpm test` typechecks this app with tsc; `next build` need not do it again.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  // `next dev` would otherwise write AGENTS.md files into the example.
  agentRules: false,
  experimental: { agentUpgrade: false },
  turbopack: { root: workspace, resolveAlias: workspaceSources() },
}

export default nextConfig
