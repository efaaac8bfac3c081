/**
 * Child processes for the crash test: a TypeScript entry run with Node + tsx, its stdout read as
 * lines, and a way to wait for a line and to kill it for real.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

export interface Child {
  process: ChildProcess
  /** Resolves with the first line (seen so far or later) starting with `prefix`. */
  waitFor(prefix: string, timeoutMs: number): Promise<string>
  /** The first line starting with `prefix`, without waiting. */
  seen(prefix: string): string | undefined
  /** What it wrote to stderr. */
  errors(): string
  /** Resolves when it has exited. */
  exited: Promise<void>
  kill(signal: NodeJS.Signals): Promise<void>
}

export function launch(script: string, argument: string): Child {
  const child = spawn(
    process.execPath,
    ['--import', tsx, '--conditions=@shareflow/source', script, argument],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const lines: string[] = []
  const waiters: Array<{ prefix: string; resolve: (line: string) => void }> = []
  let buffered = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const complete = buffered.split('\n')
    buffered = complete.pop()!
    for (const line of complete) {
      lines.push(line)
      for (const waiter of [...waiters]) {
        if (line.startsWith(waiter.prefix)) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve(line)
        }
      }
    }
  })
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    process: child,
    seen: (prefix) => lines.find((line) => line.startsWith(prefix)),
    errors: () => stderr,
    exited,
    waitFor(prefix, timeoutMs) {
      const found = lines.find((line) => line.startsWith(prefix))
      if (found !== undefined) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1)
          reject(
            new Error(`no "${prefix}" line within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`),
          )
        }, timeoutMs)
        const waiter = {
          prefix,
          resolve: (line: string) => {
            clearTimeout(timer)
            resolve(line)
          },
        }
        waiters.push(waiter)
        void exited.then(() => {
          if (waiters.includes(waiter)) {
            clearTimeout(timer)
            waiters.splice(waiters.indexOf(waiter), 1)
            reject(new Error(`exited before "${prefix}"; stderr: ${stderr.slice(-2000)}`))
          }
        })
      })
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
  }
}

/** A loopback port nobody is listening on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}
