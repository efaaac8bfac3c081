import { describe, expect, it } from 'vitest'
import { de } from './locales/de'
import { gateScreenEn } from './kyc-share-gate/gate-messages'
import { en, fill, resolveMessages } from './messages'
import { historyEn } from './history/messages'
import { linkEn } from './withdraw-button/link-messages'

/** Every English string: the entry's and the chunks' own. */
const english = { ...en, ...linkEn, ...historyEn, ...gateScreenEn }

describe('messages', () => {
  it('has every English string in German, the chunks’ own included, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    expect(Object.keys(de).sort()).toEqual(Object.keys(english).sort())
    for (const key of Object.keys(english) as (keyof typeof english)[]) {
      expect([key, placeholders(de[key])]).toEqual([key, placeholders(english[key])])
    }
  })

  it('layers a language and the host’s overrides over English', () => {
    const messages = resolveMessages(de, { retry: 'Nochmal' })
    expect(messages.retry).toBe('Nochmal')
    expect(messages.gateStartTitle).toBe(de.gateStartTitle)
    expect(resolveMessages(undefined, { gateStartTitle: 'Show us who you are' }).amountLabel).toBe(
      'Amount',
    )
  })

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(fill('Withdraw {amount}', { amount: '$5.00' })).toBe('Withdraw $5.00')
    expect(fill('Fee {fee}', {})).toBe('Fee {fee}')
  })
})
