/**
 * The page policy the README's "Security" section tells hosts to serve is the one the demo
 * serves (and its end-to-end suite runs under): strict, nonce-based, framing only Coinflow.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy } from '../../../../apps/demo/server/web'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')

const directives = (policy: string) =>
  new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...values]) => [name!, values]),
  )

describe('the page Content-Security-Policy', () => {
  const policy = contentSecurityPolicy({ nonce: 'n0nce', frameOrigins: ['https://coinflow.cash'] })
  const parsed = directives(policy)

  it('runs only scripts carrying the response nonce, and nothing inline or evaluated', () => {
    expect(parsed.get('script-src')).toEqual(["'nonce-n0nce'", "'strict-dynamic'"])
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*/)
    expect(parsed.get('object-src')).toEqual(["'none'"])
    expect(parsed.get('base-uri')).toEqual(["'none'"])
  })

  it("frames Coinflow's hosted page only, and is framed by nobody", () => {
    expect(parsed.get('frame-src')).toEqual(['https://coinflow.cash'])
    expect(parsed.get('frame-ancestors')).toEqual(["'none'"])
    expect(
      directives(contentSecurityPolicy({ nonce: 'x', frameOrigins: [] })).get('frame-src'),
    ).toEqual(["'none'"])
  })

  it('is the policy the README documents for hosts', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('## Security'))
    const block = /```\n(default-src[\s\S]*?)```/.exec(section)?.[1] ?? ''
    const documented = block.replace(/\{per-response nonce\}/, 'n0nce').replace(/\s*\n\s*/g, ' ')
    expect(directives(documented)).toEqual(parsed)
  })
})
