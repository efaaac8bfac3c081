/**
 * `pnpm dev`: builds the frontend, then runs the whole demo in this one process and prints the
 * one URL to open. With `PERSONA_*` and `COINFLOW_*` set it talks to the vendors' sandboxes;
 * without them, to the emulator running in here (hosted pages on http://localhost:3000).
 */
import { appendFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { buildFrontend, DEMO_ROOT } from './build'
import { ShareflowConfigError } from '@shareflow/server/node'
import { startDemo } from './start'

const port = Number(process.env.PORT ?? 8080)
const dataDir = path.resolve(process.env.DEMO_DATA_DIR ?? path.join(DEMO_ROOT, '.shareflow-data'))
const logFile = path.join(path.dirname(dataDir), 'shareflow-bff.log')

async function main() {
  const started = performance.now()
  process.stdout.write('Building the demo frontend… ')
  const distDir = await buildFrontend()
  console.log(`done in ${Math.round(performance.now() - started)} ms`)

  mkdirSync(path.dirname(logFile), { recursive: true })
  const demo = await startDemo({
    port,
    dataDir,
    distDir,
    env: process.env,
    log: (line) => appendFileSync(logFile, `${line}\n`),
  })

  console.log('')
  if (demo.mode === 'sandbox') {
    console.log('No PERSONA_* / COINFLOW_* keys are set: Persona and Coinflow are emulated in this')
    console.log(
      `process (their hosted pages on ${demo.emulator!.coinflow.uiOrigin}). No real money moves.`,
    )
  } else {
    console.log('Talking to the Persona and Coinflow sandboxes with the keys you set.')
  }
  console.log(`BFF log: ${path.relative(process.cwd(), logFile)}`)
  console.log('')
  console.log(`  Open ${demo.url}`)
  console.log('')

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await demo.stop()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  console.error('')
  if (error instanceof ShareflowConfigError) console.error(error.message)
  else if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    console.error(`Port ${port} is in use. Start with PORT=<another port> pnpm dev.`)
  } else console.error(error)
  process.exit(1)
})
