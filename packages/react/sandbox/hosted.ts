import { commands } from 'vitest/browser'
import type { KitSandbox } from './sandbox'

declare module 'vitest/browser' {
  interface BrowserCommands {
    serveHostedPages(origin: string): Promise<void>
    /** Leaves Persona's windows (`exit`: Exit, then close the tab); answers how many there were. */
    leavePersona(action: 'exit' | 'close', origin?: string): Promise<number>
  }
}

/**
 * In a Vitest browser test: the emulator's hosted pages (Persona's flow, Coinflow's withdraw and
 * verification pages) answer on `http://localhost:3000` from `sandbox`, through the
 * `serveHostedPages` command (`hosted-bridge.ts`).
 */
export async function serveHostedPages(sandbox: KitSandbox): Promise<void> {
  Object.assign(globalThis, {
    __shareflowHostedPages: (request: Request) => sandbox.emulator.hosted.fetch(request),
  })
  await commands.serveHostedPages('http://localhost:3000')
}
