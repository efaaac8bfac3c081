/**
 * @module
 * Magic inputs: values that steer an emulated inquiry to each outcome the kit must handle, the way
 * Persona's sandbox and Coinflow's documented test values do. They key on the last name a person
 * types into the hosted flow (or that a test passes in `fields`), case-insensitively. The README's
 * table lists them; keep the two in step.
 */
import { fieldText, type FieldValue, type InquiryRecord } from './records'

export const magicLastNames = {
  /** Completes, then the template's workflow declines it (`inquiry.declined`). */
  decline: 'Decline',
  /** Completes, then the workflow sends it to manual review (`needs_review`). */
  review: 'Review',
  /** The hosted flow's checks fail (`inquiry.failed`). */
  fail: 'Fail',
  /** The person takes too long: submitting expires the inquiry instead (`inquiry.expired`). */
  expire: 'Expire',
  /** Completes, but the collected address is lost, so Coinflow later asks for more (451). */
  noAddress: 'Noaddress',
} as const

const lastName = (fields: Record<string, FieldValue>) =>
  fieldText({ fields }, 'name-last')?.trim().toLowerCase() ?? null

const is = (fields: Record<string, FieldValue>, magic: string) =>
  lastName(fields) === magic.toLowerCase()

/** What the emulated template's workflow does once an inquiry completes. */
export function magicOutcome(inquiry: InquiryRecord): 'decline' | 'review' | null {
  if (is(inquiry.fields, magicLastNames.decline)) return 'decline'
  if (is(inquiry.fields, magicLastNames.review)) return 'review'
  return null
}

/** What submitting the hosted flow leads to, before any workflow runs. */
export function submissionOutcome(
  fields: Record<string, FieldValue>,
): 'complete' | 'fail' | 'expire' {
  if (is(fields, magicLastNames.fail)) return 'fail'
  if (is(fields, magicLastNames.expire)) return 'expire'
  return 'complete'
}

const addressFields = [
  'address-street-1',
  'address-street-2',
  'address-city',
  'address-subdivision',
  'address-postal-code',
]

/** Drops the street address for the `Noaddress` name; the country stays (Persona always has one). */
export function applyAddressMagic(fields: Record<string, FieldValue>): Record<string, FieldValue> {
  if (!is(fields, magicLastNames.noAddress)) return fields
  const kept = { ...fields }
  for (const name of addressFields) kept[name] = { type: 'string', value: null }
  return kept
}
