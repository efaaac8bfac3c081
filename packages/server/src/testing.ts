/**
 * `@shareflow/server/testing`: helpers for a host's own tests of its Shareflow integration. A
 * logger that keeps its lines, a leak finder to run over them, a clock that moves only when told
 * (the emulator's, which `createSandboxShareflowApp` accepts as `clock` and `emulator.clock`), and
 * the signer the emulator signs its webhooks with, for delivering one by hand.
 *
 * @example
 * import { createMemoryLogger, findLeaks } from '@shareflow/server/testing'
 * const logger = createMemoryLogger()
 * // … run a journey against createShareflowApp({ logger, … }) …
 * expect(findLeaks(logger.lines, { secrets: [apiKey], personal: [user.email] })).toEqual([])
 *
 * @module
 */
export { createMemoryLogger } from './logger'
export { findLeaks, type KnownSensitiveValues, type LeakFinding } from './security/leaks'
export { createManualClock, type EmulatorClock } from './emulator/world'
export { signWebhook } from './webhooks/signature'
