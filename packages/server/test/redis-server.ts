/**
 * Starts a throwaway `redis-server` for the Redis store's tests: a free loopback port, its own
 * temporary directory, no persistence. Missing `redis-server` fails loudly, never skips: the Redis
 * tests are how we know several BFF instances can share one store.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string
  port: number
  stop(): Promise<void>
}

export interface StartRedisServerOptions {
  /** The program to run. Default: `$REDIS_SERVER`, else `redis-server` from the PATH. */
  command?: string
  /** Listen on this port (a server started again where a stopped one was). Default: a free one. */
  port?: number
}

const missingMessage = (command: string) =>
  `${command} is not installed, and the Redis store tests run a real one. Install it ` +
  `(Debian/Ubuntu: \`apt-get install redis-server\`, or \`bash scripts/system-deps.sh\`, which ` +
  '`.ci/run` runs first), or point $REDIS_SERVER at the binary.'

/**
 * @example
 * let redis: RedisServer
 * beforeAll(async () => { redis = await startRedisServer() })
 * afterAll(() => redis.stop())
 */
export async function startRedisServer({
  command = process.env.REDIS_SERVER ?? 'redis-server',
  port,
}: StartRedisServerOptions = {}): Promise<RedisServer> {
  let lastError: unknown
  // Another process may take the free port before redis-server binds it; then try another one.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(command, port ?? (await freePort()))
    } catch (error) {
      if (error instanceof RedisServerMissingError) throw error
      lastError = error
    }
  }
  throw lastError
}

class RedisServerMissingError extends Error {}

async function startOnce(command: string, port: number): Promise<RedisServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'shareflow-redis-'))
  const child = spawn(
    command,
    ['--port', `${port}`, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === 'ENOENT' ? new RedisServerMissingError(missingMessage(command)) : error,
      ),
    )
    child.once('exit', (code, signal) =>
      resolve(new Error(`redis-server exited (${code ?? signal}) before answering:\n${output}`)),
    )
  })

  const stop = () => stopChild(child, 'SIGTERM', directory)

  const deadline = Date.now() + 10_000
  for (;;) {
    const outcome = await Promise.race([
      answers(port, child.pid!).then((answered) => (answered ? 'ready' : 'not yet')),
      exited,
    ])
    if (outcome === 'ready') return { url: `redis://127.0.0.1:${port}`, port, stop }
    if (outcome instanceof Error) {
      await rm(directory, { recursive: true, force: true })
      throw outcome
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`redis-server did not answer on port ${port} within 10 s:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * Stops a test's server process with `signal` (SIGKILL after 5 s) and removes its directory.
 * Resolves at once for one that already exited.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, directory: string) {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await gone
    clearTimeout(timer)
  }
  await rm(directory, { recursive: true, force: true })
}

/** A port nothing listens on right now, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })
}

/**
 * `true` once *our* server answers: INFO names its process id, which rules out another server
 * that took the port first. `false` while nothing (or someone else) listens.
 */
function answers(port: number, pid: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let reply = ''
    const finish = (answered: boolean) => {
      socket.destroy()
      resolve(answered)
    }
    socket.setTimeout(1000, () => finish(false))
    socket.once('error', () => finish(false))
    socket.once('connect', () => socket.write('INFO server\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      // A bulk reply: `$<length>\r\n<body>\r\n`; anything else (an error) is not an answer.
      const header = /^\$(\d+)\r\n/.exec(reply)
      if (header === null) {
        if (reply.includes('\r\n')) finish(false)
        return
      }
      if (Buffer.byteLength(reply) >= header[0].length + Number(header[1])) {
        finish(reply.includes(`process_id:${pid}\r\n`))
      }
    })
  })
}
