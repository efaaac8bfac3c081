/**
 * Starts a throwaway `redis-server` for the Redis store's tests: a free loopback port, its own
 * temporary directory, no persistence. Missing `redis-server` fails loudly, never skips: the Redis
 * tests are how we know several BFF instances can share one store.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
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
  /** More arguments for redis-server (`--cluster-enabled yes`, …). */
  args?: readonly string[]
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
  args = [],
}: StartRedisServerOptions = {}): Promise<RedisServer> {
  let lastError: unknown
  // Another process may take the free port before redis-server binds it; then try another one.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(command, port ?? (await freePort()), args)
    } catch (error) {
      if (error instanceof RedisServerMissingError) throw error
      lastError = error
    }
  }
  throw lastError
}

class RedisServerMissingError extends Error {}

async function startOnce(
  command: string,
  port: number,
  args: readonly string[],
): Promise<RedisServer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'shareflow-redis-'))
  const child = spawn(
    command,
    ['--port', `${port}`, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args],
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

export interface RedisCluster {
  /** The masters' `{ host, port }`, for `new Cluster(nodes)`. */
  nodes: { host: string; port: number }[]
  stop(): Promise<void>
}

/**
 * A Redis Cluster of `masters` real redis-server processes (no replicas), its slots assigned by
 * `redis-cli --cluster create`; resolves once every node reports `cluster_state:ok`.
 */
export async function startRedisCluster({ masters = 3 } = {}): Promise<RedisCluster> {
  const servers = await Promise.all(
    Array.from({ length: masters }, () =>
      startRedisServer({
        args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
      }),
    ),
  )
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()))
  }
  try {
    await run('redis-cli', [
      '--cluster',
      'create',
      ...servers.map((server) => `127.0.0.1:${server.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ])
    const deadline = Date.now() + 20_000
    for (const server of servers) {
      while (
        !(await run('redis-cli', ['-p', `${server.port}`, 'cluster', 'info'])).includes(
          'cluster_state:ok',
        )
      ) {
        if (Date.now() > deadline) throw new Error('The Redis cluster did not become ok in 20 s')
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { nodes: servers.map((server) => ({ host: '127.0.0.1', port: server.port })), stop }
}

export interface RedisSentinel {
  /** The sentinel's `{ host, port }`, for `new Redis({ sentinels: [sentinel], name })`. */
  sentinel: { host: string; port: number }
  /** The master set's name the sentinel monitors. */
  name: string
  /** The master it monitors. */
  master: RedisServer
  stop(): Promise<void>
}

/** A redis-server master watched by a real `redis-server --sentinel`, which clients ask for it. */
export async function startRedisSentinel({ name = 'shareflow' } = {}): Promise<RedisSentinel> {
  const master = await startRedisServer()
  const directory = await mkdtemp(path.join(tmpdir(), 'shareflow-sentinel-'))
  const port = await freePort()
  const config = path.join(directory, 'sentinel.conf')
  await writeFile(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      '',
    ].join('\n'),
  )
  const child = spawn(process.env.REDIS_SERVER ?? 'redis-server', [config, '--sentinel'], {
    cwd: directory,
    stdio: 'ignore',
  })
  const stop = async () => {
    await stopChild(child, 'SIGTERM', directory)
    await master.stop()
  }
  const deadline = Date.now() + 10_000
  while (
    !(
      await run('redis-cli', ['-p', `${port}`, 'sentinel', 'get-master-addr-by-name', name]).catch(
        () => '',
      )
    ).includes(`${master.port}`)
  ) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop()
      throw new Error(`redis-server --sentinel did not report its master on port ${port}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { sentinel: { host: '127.0.0.1', port }, name, master, stop }
}

/** Runs a command to its end; its stdout, or a rejection with its output. */
function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited ${code}: ${output}`)),
    )
  })
}
