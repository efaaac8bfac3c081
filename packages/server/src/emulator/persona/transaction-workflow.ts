/**
 * @module
 * The workflow a transaction type is bound to, as Persona's Transactions guide describes: once a
 * transaction is created, the workflow fans out verifications (the business in a registry
 * database, its tax number) and reports (business watchlist, politically exposed persons for each
 * related owner), then sets the transaction's status. Each step is an event by the spec's names:
 * `verification.created`, `verification.passed|failed`, `report/<type>.ready` (and `.matched`),
 * `transaction.status-updated`.
 *
 * This module decides what the workflow finds; `state.ts` stamps the times and raises the events.
 * The magic inputs (below, and in the emulator README) steer it to every outcome the kit handles.
 */
import { iso, type AccountRecord, type FieldValue, type TransactionRecord } from './records'

export type TransactionVerificationKind = 'database-business' | 'database-tin'
export type TransactionReportKind = 'business-watchlist' | 'politically-exposed-person'

/** A transaction type of the emulated organization, and what its bound workflow runs. */
export interface TransactionType {
  /** Verifications the workflow runs on the business, in order. */
  verifications: readonly TransactionVerificationKind[]
  /**
   * Reports it runs: `business-watchlist` on the business, `politically-exposed-person` on each
   * account related to the transaction (its owners).
   */
  reports: readonly TransactionReportKind[]
  /** Emulator-clock milliseconds from creation until the workflow has run. Default 3 000. */
  runMs?: number
}

/**
 * The transaction type the emulator's organization has for business payees (KYB): the business
 * and its tax number are verified, the business and every owner screened. In emulator mode the
 * BFF's `PERSONA_KYB_TRANSACTION_TYPE_ID` must be this value.
 */
export const EMULATOR_KYB_TRANSACTION_TYPE_ID = 'txntp_EmulatorBusinessKyb01'

export const EMULATOR_KYB_TRANSACTION_TYPE: TransactionType = {
  verifications: ['database-business', 'database-tin'],
  reports: ['business-watchlist', 'politically-exposed-person'],
}

/** Words in the business name (case-insensitive) and owner last names that steer the workflow. */
export const magicBusinessWords = {
  /** The registry has no such business: `verification/database-business` fails → `declined`. */
  decline: 'Decline',
  /** The business watchlist report matches → `needs review`. */
  watchlist: 'Watchlist',
  /** Everything passes, but the workflow sends the transaction to manual review. */
  review: 'Review',
  /** The workflow never finishes: the transaction stays `created` (a stalled check). */
  stall: 'Stall',
} as const

/** An owner (related account) last name the politically-exposed-person report matches. */
export const MAGIC_OWNER_PEP = 'Pep'
/** A tax number ending in these four digits fails `verification/database-tin` → `declined`. */
export const MAGIC_TIN_FAILS = '0000'

/** Persona's status for a transaction in manual review is spelled with a space (persona.md §10). */
export const NEEDS_REVIEW = 'needs review'

export interface WorkflowVerification {
  resource: { type: string; id: string; attributes: Record<string, unknown>; relationships: object }
  passed: boolean
}

export interface WorkflowReport {
  name: TransactionReportKind
  resource: { type: string; id: string; attributes: Record<string, unknown>; relationships: object }
  matched: boolean
}

export interface WorkflowRun {
  verifications: WorkflowVerification[]
  reports: WorkflowReport[]
  status: 'approved' | 'declined' | typeof NEEDS_REVIEW
}

const field = (fields: Record<string, FieldValue>, ...names: string[]): string | null => {
  for (const name of names) {
    const value = fields[name]?.value
    if (typeof value === 'string' && value.trim() !== '') return value.trim()
  }
  return null
}

const hash = (fields: Record<string, FieldValue>, name: string): Record<string, unknown> => {
  const value = fields[name]?.value
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
}

const str = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value : null

const hasWord = (text: string | null, word: string) =>
  text !== null && new RegExp(`\\b${word}\\b`, 'i').test(text)

/** Whether the workflow never finishes for this transaction (magic word `Stall`). */
export function stalls(transaction: TransactionRecord): boolean {
  return hasWord(field(transaction.fields, 'business_name'), magicBusinessWords.stall)
}

/**
 * What the workflow finds for `transaction` of `type`, with `owners` (the accounts related to it),
 * at emulator time `at`. `nextId(prefix)` draws ids.
 */
export function runWorkflow(input: {
  transaction: TransactionRecord
  type: TransactionType
  owners: readonly AccountRecord[]
  at: number
  nextId: (prefix: string) => string
}): WorkflowRun {
  const { transaction, type, owners, at, nextId } = input
  const fields = transaction.fields
  const name = field(fields, 'business_name') ?? ''
  const tin = field(fields, 'business_tax_identification_number') ?? ''
  const address = hash(fields, 'business_registered_address')
  const country = str(address.country_code) ?? 'US'
  const stamp = iso(at)
  const seconds = Math.floor(at / 1000)
  const link = { data: { type: 'transaction', id: transaction.id } }
  const none = { data: null }

  const verificationRelationships = {
    inquiry: none,
    template: none,
    'inquiry-template-version': none,
    'inquiry-template': none,
    transaction: link,
    'verification-template': none,
    'verification-template-version': none,
    accounts: { data: owners.map((owner) => ({ type: 'account', id: owner.id })) },
  }
  const verification = (
    kind: TransactionVerificationKind,
    passed: boolean,
    details: Record<string, unknown>,
    checks: { name: string; passed: boolean }[],
  ): WorkflowVerification => ({
    passed,
    resource: {
      type: `verification/${kind}`,
      id: nextId('ver'),
      attributes: {
        status: passed ? 'passed' : 'failed',
        'created-at': stamp,
        'created-at-ts': seconds,
        'submitted-at': stamp,
        'submitted-at-ts': seconds,
        'completed-at': stamp,
        'completed-at-ts': seconds,
        'redacted-at': null,
        'country-code': country,
        tags: [],
        checks: checks.map((check) => ({
          name: check.name,
          status: check.passed ? 'passed' : 'failed',
          reasons: [],
          requirement: 'required',
          metadata: {},
        })),
        ...details,
      },
      relationships: verificationRelationships,
    },
  })

  const verifications = type.verifications.map((kind) => {
    if (kind === 'database-business') {
      const found = !hasWord(name, magicBusinessWords.decline)
      return verification(
        kind,
        found,
        {
          'business-name': name,
          'registration-number': field(fields, 'business_registration_number'),
          'address-street-1': str(address.street_1),
          'address-street-2': str(address.street_2),
          'address-city': str(address.city),
          'address-subdivision': str(address.subdivision),
          'address-postal-code': str(address.postal_code),
          'address-country-code': country,
        },
        [
          { name: 'database_business_name_comparison', passed: found },
          { name: 'database_business_address_comparison', passed: found },
        ],
      )
    }
    const valid = !tin.endsWith(MAGIC_TIN_FAILS)
    // The verification object carries the number it checked, as Persona's does; the BFF never
    // forwards verification payloads anywhere.
    return verification(
      kind,
      valid,
      { tin, 'tin-type': 'ein', 'name-first': null, 'name-last': null, 'name-business': name },
      [{ name: 'database_tin_match_detection', passed: valid }],
    )
  })

  /** A report as the workflow finishes it: `ready`, with `has-match` and the type's results. */
  const report = (
    kind: TransactionReportKind,
    matched: boolean,
    accountId: string | null,
    results: Record<string, unknown>,
  ): WorkflowReport => ({
    name: kind,
    matched,
    resource: {
      type: `report/${kind}`,
      id: nextId('rep'),
      attributes: {
        status: 'ready',
        'created-at': stamp,
        'completed-at': stamp,
        'redacted-at': null,
        'report-template-version-name': 'v1',
        'has-match': matched,
        'is-continuous': false,
        'is-recurring': false,
        tags: [],
        ...results,
      },
      relationships: {
        inquiry: none,
        account: { data: accountId === null ? null : { type: 'account', id: accountId } },
        transaction: link,
        'report-template': { data: { type: `report-template/${kind}`, id: `rptp_${kind}` } },
      },
    },
  })
  const reports: WorkflowReport[] = []
  for (const kind of type.reports) {
    if (kind === 'business-watchlist') {
      const matched = hasWord(name, magicBusinessWords.watchlist)
      reports.push(
        report(kind, matched, null, {
          'matched-lists': matched ? ['ofac-sdn'] : [],
          'sanction-list': matched ? [{ name: 'OFAC Specially Designated Nationals' }] : [],
          'fitness-probity-list': [],
          'warning-list': [],
        }),
      )
      continue
    }
    for (const owner of owners) {
      // `POST /accounts` keeps identity attributes as snake_case fields (`name_first`, …).
      const first = field(owner.fields, 'name_first')
      const last = field(owner.fields, 'name_last')
      const birthdate = field(owner.fields, 'birthdate')
      const matched = last !== null && last.toLowerCase() === MAGIC_OWNER_PEP.toLowerCase()
      const term = [first, last].filter(Boolean).join(' ')
      reports.push(
        report(kind, matched, owner.id, {
          query: {
            'name-first': first,
            'name-last': last,
            term,
            ...(birthdate ? { birthdate } : {}),
          },
          result: matched
            ? [
                {
                  'entity-id': `pep_${owner.id}`,
                  name: term,
                  birthdates: birthdate ? [birthdate] : [],
                  topics: ['PEP'],
                },
              ]
            : null,
        }),
      )
    }
  }

  const status = verifications.some((step) => !step.passed)
    ? 'declined'
    : reports.some((report) => report.matched) || hasWord(name, magicBusinessWords.review)
      ? NEEDS_REVIEW
      : 'approved'
  return { verifications, reports, status }
}
