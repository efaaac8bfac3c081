/**
 * The storage layer's Web-Standards part: the interface, the in-memory store and the typed
 * helpers. The Node-only stores are imported from their own files (`./redis`, `../node/file-store`)
 * so that this entry never pulls a socket or file-system module into a Workers or browser bundle.
 *
 * @module
 */
export type { ShareflowStore, StoreWriteOptions } from './types'
export { StoreUnavailableError } from './types'
export type { StoreClock } from './table'
export { createMemoryStore, type MemoryStoreOptions } from './memory'
export {
  LockUnavailableError,
  StoreContentionError,
  StoreRecordError,
  claimOnce,
  getJson,
  putJson,
  putJsonIfAbsent,
  rateWindow,
  updateJson,
  withLock,
  type RateWindowOptions,
  type RateWindowResult,
  type UpdateJsonOptions,
  type WithLockOptions,
} from './records'
