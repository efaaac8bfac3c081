import { describe, expect, it } from 'vitest'
import { de } from './locales/de'
import { gateScreenEn } from './kyc-share-gate/gate-messages'
import { en as kitEn, fill, resolveMessages } from './messages'

const en = { ...kitEn, ...gateScreenEn }

describe('messages', () => {
  it('has every English string in German, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort())
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect([key, placeholders(de[key])]).toEqual([key, placeholders(en[key])])
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
