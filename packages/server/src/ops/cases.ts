/**
 * Persona cases as the ops module follows them: which user and inquiry each is about, its
 * status (the case template's own strings), and what the host's configured map made of that
 * status for the inquiry. Updated from the operator's own `set-status` and from
 * `case.status-updated` events (a status set in Persona's dashboard counts the same); an event
 * older than what is known changes nothing.
 *
 * @module
 */
import { CaseFacts } from '@shareflow/contract'
import { z } from 'zod'
import { isoAt, type Clock } from '../clock'
import { getJson, updateJson } from '../store/records'
import type { ShareflowStore } from '../store/types'

export type CaseDecision = 'approve' | 'decline'

export interface OpsCaseOptions {
  /** The case template new cases are made from (`ctmpl_…`). */
  templateId: string
  /**
   * Every status of the template an operator may set, and what each means for the user's
   * inquiry: `approve` / `decline` apply that decision (so a case approval moves the user on),
   * `null` changes nothing. A status not listed is refused before Persona is asked.
   */
  statuses: Readonly<Record<string, CaseDecision | null>>
}

const StoredCase = z.object({
  id: z.string(),
  userId: z.string(),
  inquiryId: z.string().nullable(),
  status: z.string(),
  decision: z.enum(['approve', 'decline']).nullable(),
  /** `created-at` of the newest event applied, or when the BFF itself set the status. */
  eventAt: z.string().nullable(),
  updatedAt: z.string(),
})
type StoredCase = z.infer<typeof StoredCase>

const caseKey = (caseId: string) => `ops:case:${caseId}`
const userCasesPrefix = (userId: string) => `ops:user-case:${userId}:`

export type OpsCases = ReturnType<typeof createOpsCases>

export function createOpsCases({ store, clock }: { store: ShareflowStore; clock: Clock }) {
  return {
    get: (caseId: string) => getJson(store, caseKey(caseId), StoredCase),

    /** Records a case the BFF opened for `userId`. */
    async opened(input: { id: string; userId: string; inquiryId: string | null; status: string }) {
      const at = isoAt(clock.now())
      await updateJson(store, caseKey(input.id), StoredCase, (known) =>
        known ? undefined : { ...input, decision: null, eventAt: null, updatedAt: at },
      )
      await store.set(`${userCasesPrefix(input.userId)}${input.id}`, input.id)
    },

    /**
     * Records `status` for the case as of `eventAt` (`null`: the BFF's own call, now); returns the
     * case when this is news (a newer status), `null` when it changes nothing.
     */
    async statusSeen(
      caseId: string,
      status: string,
      eventAt: string | null,
      decision: CaseDecision | null,
    ): Promise<StoredCase | null> {
      let changed = false
      const saved = await updateJson(store, caseKey(caseId), StoredCase, (known) => {
        if (!known) return undefined
        if (eventAt && known.eventAt && eventAt <= known.eventAt) return undefined
        if (known.status === status && !eventAt) return undefined
        changed = known.status !== status
        return {
          ...known,
          status,
          decision: decision ?? (changed ? null : known.decision),
          eventAt: eventAt ?? known.eventAt,
          updatedAt: isoAt(clock.now()),
        }
      })
      return changed ? saved : null
    },

    async forUser(userId: string): Promise<CaseFacts[]> {
      const ids = await Promise.all(
        (await store.keys(userCasesPrefix(userId))).map((key) => store.get(key)),
      )
      const cases = await Promise.all(
        ids
          .filter((id): id is string => id !== null)
          .map((id) => getJson(store, caseKey(id), StoredCase)),
      )
      return cases
        .filter((found): found is StoredCase => found !== null)
        .map(({ id, status, decision, updatedAt }) => ({ id, status, decision, updatedAt }))
    },
  }
}
