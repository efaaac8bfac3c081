import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const nextBin = createRequire(path.join(APP_ROOT, 'package.json')).resolve('next/dist/bin/next')

// Production mode whatever the test runner set (vitest sets `test`); no telemetry, no network;
// and no vendor keys a developer may have exported, so the example runs on its emulator.
const env = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(PERSONA|COINFLOW)_/.test(name)),
  ),
  NODE_ENV: 'production' as const,
  NEXT_TELEMETRY_DISABLED: '1',
}

export interface RunningNext {
  url: string
  /** The emulated vendors' hosted pages (and control endpoint), on a free port of their own. */
  hostedOrigin: string
  /** Every line the server wrote (the BFF's JSON log lines among them). */
  lines: string[]
  /** How long `next build` took, in ms. */
  buildMs: number
  stop(): Promise<void>
}

function run(
  args: string[],
  onLine?: (line: string) => void,
  extraEnv: Record<string, string> = {},
): ChildProcess {
  // Its own process group, so stopping it stops whatever Next started under it.
  const child = spawn(process.execPath, [nextBin, ...args], {
    cwd: APP_ROOT,
    env: { ...env, ...extraEnv },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let rest = ''
  const collect = (chunk: Buffer) => {
    const text = rest + chunk.toString('utf8')
    const lines = text.split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) onLine?.(line)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  return child
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.once('exit', (code) => resolve(code))
  })

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** `next build`, then `next start` on a free port; resolves once the sign-in page answers. */
export async function buildAndStartNext(): Promise<RunningNext> {
  const started = performance.now()
  const buildLog: string[] = []
  const code = await exited(run(['build'], (line) => buildLog.push(line)))
  if (code !== 0) throw new Error(`next build failed (${code}):\n${buildLog.join('\n')}`)
  const buildMs = Math.round(performance.now() - started)

  const port = await freePort()
  const url = `http://localhost:${port}`
  // Not the default :3000, so a demo or another run on this machine cannot be in the way.
  const hostedOrigin = `http://localhost:${await freePort()}`
  const lines: string[] = []
  const server = run(
    ['start', '--port', String(port), '--hostname', 'localhost'],
    (line) => lines.push(line),
    { COINFLOW_UI_ORIGIN: hostedOrigin },
  )
  const stop = async () => {
    if (server.exitCode !== null || server.pid === undefined) return
    process.kill(-server.pid, 'SIGTERM')
    await exited(server)
  }
  const giveUpAt = Date.now() + 60_000
  for (;;) {
    if (server.exitCode !== null) throw new Error(`next start exited:\n${lines.join('\n')}`)
    const answered = await fetch(url).then(
      (response) => response.ok,
      () => false,
    )
    if (answered) return { url, hostedOrigin, lines, buildMs, stop }
    if (Date.now() > giveUpAt) {
      await stop()
      throw new Error(`next start did not answer on ${url}:\n${lines.join('\n')}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
