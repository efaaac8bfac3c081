/**
 * The operator journal: every action an operator takes, with their id and reason, written
 * *before* its Persona call (`requested`) and completed after it (`done`, or `refused` when
 * Persona said no). Read newest first, across all users or for one.
 *
 * Entries live under `ops:journal:all:<at>:<sequence>` and, for the user's own record,
 * `ops:journal:user:<userId>:<at>:<sequence>`; both hold the same JSON.
 *
 * @module
 */
import { JournalEntry, type OperatorAction } from '@shareflow/contract'
import { isoAt, type Clock } from '../clock'
import { getJson, putJson } from '../store/records'
import type { ShareflowStore } from '../store/types'
import { keyCursors } from './cursor'

const ALL = 'ops:journal:all:'
const ofUser = (userId: string) => `ops:journal:user:${userId}:`
const SEQUENCE = 'ops:journal:sequence'
const SEQUENCE_TTL_MS = 100 * 365 * 86_400_000

const cursors = keyCursors(ALL)

export interface JournalRequest {
  operatorId: string
  action: OperatorAction
  userId: string
  reason: string
  targetId: string | null
}

export type OperatorJournal = ReturnType<typeof createOperatorJournal>

export function createOperatorJournal({ store, clock }: { store: ShareflowStore; clock: Clock }) {
  const write = async (entry: JournalEntry, order: number) => {
    // The store's counter orders entries of one millisecond, across instances too.
    const suffix = `${entry.at}:${String(order).padStart(12, '0')}`
    await putJson(store, `${ofUser(entry.userId)}${suffix}`, JournalEntry, entry)
    await putJson(store, `${ALL}${suffix}`, JournalEntry, entry)
  }

  const read = async (keys: string[]) =>
    (await Promise.all(keys.map((key) => getJson(store, key, JournalEntry)))).filter(
      (entry): entry is JournalEntry => entry !== null,
    )

  return {
    /**
     * Journals `request` as `requested`, runs `act`, and journals how it ended. An action that
     * throws stays `requested` (its outcome is unknown: Persona may have acted), and rethrows.
     */
    async record<T>(
      request: JournalRequest,
      act: () => Promise<{ outcome: 'done' | 'refused'; value: T }>,
    ): Promise<{ entry: JournalEntry; value: T }> {
      const entry: JournalEntry = {
        id: `opj_${crypto.randomUUID().replace(/-/g, '')}`,
        at: isoAt(clock.now()),
        ...request,
        outcome: 'requested',
      }
      const order = await store.increment(SEQUENCE, SEQUENCE_TTL_MS)
      await write(entry, order)
      const { outcome, value } = await act()
      const ended = { ...entry, outcome }
      await write(ended, order)
      return { entry: ended, value }
    },

    /** The user's entries, newest first. */
    async forUser(userId: string, limit = 50): Promise<JournalEntry[]> {
      const keys = (await store.keys(ofUser(userId))).reverse().slice(0, limit)
      return read(keys)
    },

    /** Up to `limit` entries older than `cursor`, newest first. */
    async page({ cursor, limit }: { cursor?: string; limit: number }) {
      const before = cursor ? cursors.decode(cursor) : null
      const keys = (await store.keys(ALL))
        .reverse()
        .filter((key) => before === null || key < before)
      const shown = keys.slice(0, limit)
      return {
        entries: await read(shown),
        nextCursor: keys.length > limit ? cursors.encode(shown.at(-1)!) : null,
      }
    },

    validCursor: cursors.valid,
  }
}
