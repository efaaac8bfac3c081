/**
 * Releases: the three published packages version together through changesets, and each tarball
 * carries a changelog whose newest entry is the version it is published as.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8')

interface Manifest {
  name: string
  version: string
  private?: boolean
  files?: string[]
}

const packages = readdirSync(path.join(ROOT, 'packages')).map(
  (dir) => [dir, JSON.parse(read(`packages/${dir}/package.json`)) as Manifest] as const,
)
const published = packages.filter(([, manifest]) => !manifest.private)

describe.each(published)('@shareflow/%s', (dir, manifest) => {
  it('ships a changelog whose newest entry is the version in package.json', () => {
    const changelog = read(`packages/${dir}/CHANGELOG.md`)
    expect(changelog.split('\n')[0]).toBe(`# ${manifest.name}`)
    expect(/^## (.+)$/m.exec(changelog)?.[1]).toBe(manifest.version)
    expect(manifest.files).toContain('CHANGELOG.md')
  })
})

describe('changesets', () => {
  const config = JSON.parse(read('.changeset/config.json')) as {
    fixed: string[][]
    privatePackages: { version: boolean; tag: boolean }
  }
  const names = published.map(([, manifest]) => manifest.name).sort()

  it('versions the published packages in lockstep, and never the private apps', () => {
    expect(names).toHaveLength(3)
    expect(config.fixed.map((group) => [...group].sort())).toEqual([names])
    expect(config.privatePackages).toEqual({ version: false, tag: false })
  })
})
