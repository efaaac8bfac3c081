/**
 * `scripts/scan-secrets.mjs`: every browser artifact (the React package, the demo, the static
 * Storybook) built with real-looking vendor keys in the environment holds none of them, nor
 * anything shaped like a secret; and the scanner does catch a planted one without printing it.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..')
const SCRIPT = path.join(ROOT, 'scripts/scan-secrets.mjs')

interface ScanReport {
  artifacts: Array<{ name: string; files: number; bytes: number; secrets: number }>
  findings: Array<{ artifact: string; file: string; kind: string }>
  buildsFailed: boolean
}

function scanSecrets(
  args: string[],
): Promise<{ code: number; stdout: string; report: ScanReport }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SCRIPT, '--json', ...args],
      { cwd: ROOT, maxBuffer: 64 << 20, timeout: 540_000 },
      (error, stdout) => {
        const last = stdout.trim().split('\n').at(-1) ?? '{}'
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          report: JSON.parse(last) as ScanReport,
        })
      },
    )
  })
}

const planted = mkdtempSync(path.join(tmpdir(), 'shareflow-planted-'))
afterAll(() => rmSync(planted, { recursive: true, force: true }))

describe('scan-secrets', () => {
  it(
    'finds zero secrets in every browser artifact built with real-looking keys configured',
    { timeout: 600_000 },
    async () => {
      const { code, stdout, report } = await scanSecrets([])
      console.log(
        stdout
          .split('\n')
          .filter((line) => /scanned/.test(line))
          .join('\n'),
      )
      const expected = ['@shareflow/react', 'demo']
      if (existsSync(path.join(ROOT, '.storybook/main.ts'))) expected.push('storybook')
      expect(report.buildsFailed).toBe(false)
      expect(report.artifacts.map((artifact) => artifact.name)).toEqual(expected)
      for (const artifact of report.artifacts) expect(artifact.files).toBeGreaterThan(0)
      expect(report.findings).toEqual([])
      expect(code).toBe(0)
    },
  )

  it('catches a planted key, webhook secret and signed JWT without printing them', async () => {
    const key = `persona_production_${'9f3a'.repeat(10)}`
    const secret = `wbhsec_${'c0de'.repeat(8)}`
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLWphbmUifQ.${'s1gnature'.repeat(4)}`
    mkdirSync(path.join(planted, 'assets'), { recursive: true })
    writeFileSync(path.join(planted, 'assets/app.js'), `const config = { apiKey: "${key}" }\n`)
    writeFileSync(
      path.join(planted, 'assets/app.js.map'),
      JSON.stringify({ sourcesContent: [secret, jwt] }),
    )
    const { code, stdout, report } = await scanSecrets(['--dir', planted])
    expect(code).toBe(1)
    expect(report.findings.map((finding) => [finding.file, finding.kind]).sort()).toEqual([
      ['assets/app.js', 'Persona API key'],
      ['assets/app.js.map', 'Persona webhook secret'],
      ['assets/app.js.map', 'signed JWT'],
    ])
    for (const value of [key, secret, jwt]) expect(stdout).not.toContain(value)
  })

  it('passes over the names the in-browser emulator accepts, which are public', async () => {
    const clean = mkdtempSync(path.join(tmpdir(), 'shareflow-sandbox-names-'))
    try {
      writeFileSync(
        path.join(clean, 'stories.js'),
        'const keys = ["persona_sandbox_shareflow_emulator", "wbhsec_shareflow_sandbox"]\n',
      )
      const { code, report } = await scanSecrets(['--dir', clean])
      expect(report.findings).toEqual([])
      expect(code).toBe(0)
    } finally {
      rmSync(clean, { recursive: true, force: true })
    }
  })
})
