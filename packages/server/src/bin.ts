#!/usr/bin/env node
/**
 * `npx @shareflow/server emulator`: serves the emulator of Persona's and Coinflow's sandboxes on
 * loopback until stopped (ports and options from the variables in the emulator's README).
 *
 * @module
 */
export {}

const USAGE = `Usage: npx @shareflow/server emulator

  emulator   serve the Persona and Coinflow emulator on loopback (Ctrl+C stops it)
`

const [command] = process.argv.slice(2)
if (command === 'emulator') {
  const { main } = await import('./emulator/cli')
  await main()
} else {
  process.stderr.write(command ? `Unknown command "${command}".\n\n${USAGE}` : USAGE)
  process.exitCode = command === '--help' || command === '-h' ? 0 : 1
}
