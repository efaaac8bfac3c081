import type { DemoPlayer, PlayerCountry } from './players'

/**
 * Puts each demo player's vendor-side history into the emulator, through the emulator's own
 * Persona and Coinflow APIs (and Coinflow's hosted verification page, filled in as the person
 * would have): the Persona inquiry they finished, the Coinflow registration it led to, the bank
 * account they linked. Nothing here touches the BFF; it finds all of it the way it would find a
 * real user's history.
 */
export interface SeedTarget {
  /** The emulator's `fetch`: answers the Persona, Coinflow and hosted origins in-process. */
  fetch: typeof fetch
  /** Persona's API base (`…/api/v1`) and what the BFF uses there. */
  persona: { baseUrl: string; apiKey: string; templateId: string; connectionId: string }
  /** Coinflow's API base (`…/api`) and the merchant's key. */
  coinflow: { baseUrl: string; apiKey: string }
  /** Moves the emulator clock on and runs what fell due (Coinflow's review of a shared identity). */
  advance(ms: number): Promise<void>
  /** How long Coinflow reviews a shared identity. */
  shareReviewMs: number
}

interface Identity {
  first: string
  last: string
  birthdate: string
  street: string
  city: string
  region: string
  postalCode: string
  /** US players only: a full (fake) SSN. */
  ssn?: string
}

/** Everyone's identity details, as they typed them into Persona's flow. All invented. */
const ADDRESSES: Record<PlayerCountry, Omit<Identity, 'first' | 'last' | 'birthdate' | 'ssn'>> = {
  US: { street: '350 Fifth Avenue', city: 'New York', region: 'NY', postalCode: '10118' },
  DE: { street: 'Unter den Linden 77', city: 'Berlin', region: 'BE', postalCode: '10117' },
  GB: { street: '221B Baker Street', city: 'London', region: 'ENG', postalCode: 'NW1 6XE' },
  BR: { street: 'Avenida Paulista 1578', city: 'São Paulo', region: 'SP', postalCode: '01310-200' },
}

function identityOf(player: DemoPlayer): Identity {
  const [first = player.name, ...rest] = player.name.split(' ')
  return {
    first,
    last: rest.join(' ') || first,
    birthdate: '1994-03-17',
    ...ADDRESSES[player.country],
    ...(player.country === 'US' ? { ssn: '123-45-6789' } : {}),
  }
}

const personaFields = (player: DemoPlayer, identity: Identity, withAddress = true) => ({
  'name-first': identity.first,
  'name-last': identity.last,
  birthdate: identity.birthdate,
  'email-address': player.email,
  'address-country-code': player.country,
  ...(withAddress
    ? {
        'address-street-1': identity.street,
        'address-city': identity.city,
        'address-subdivision': identity.region,
        'address-postal-code': identity.postalCode,
      }
    : {}),
  ...(identity.ssn ? { 'identification-number': identity.ssn } : {}),
})

export class SeedError extends Error {}

export function createSeeder(target: SeedTarget) {
  async function call<T>(
    url: string,
    init: { method: string; headers: Record<string, string>; body?: unknown },
  ): Promise<T> {
    const response = await target.fetch(url, {
      method: init.method,
      headers: { ...init.headers, 'Content-Type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    const text = await response.text()
    if (!response.ok) {
      throw new SeedError(
        `${init.method} ${new URL(url).pathname} answered ${response.status}: ${text}`,
      )
    }
    return (text ? JSON.parse(text) : undefined) as T
  }

  const persona = <T>(method: string, path: string, body?: unknown) =>
    call<T>(`${target.persona.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${target.persona.apiKey}`,
        'Persona-Version': '2025-12-08',
      },
      body,
    })

  const coinflow = <T>(method: string, path: string, userId: string, body?: unknown) =>
    call<T>(`${target.coinflow.baseUrl}${path}`, {
      method,
      headers: { Authorization: target.coinflow.apiKey, 'x-coinflow-auth-user-id': userId },
      body,
    })

  type InquiryStep = 'start_inquiry' | 'complete_inquiry' | 'approve_inquiry'

  /** A Persona inquiry filed under the player, taken as far as `steps` say. */
  async function inquiry(player: DemoPlayer, fields: Record<string, string>, steps: InquiryStep[]) {
    const created = await persona<{ data: { id: string } }>('POST', '/inquiries', {
      data: {
        attributes: {
          'inquiry-template-id': target.persona.templateId,
          'reference-id': player.id,
          fields,
        },
      },
    })
    if (steps.length > 0) {
      await persona('POST', `/inquiries/${created.data.id}/perform-simulate-actions`, {
        meta: { 'simulate-actions': steps.map((type) => ({ type })) },
      })
    }
    return created.data.id
  }

  /** Shares a finished inquiry with Coinflow, as the BFF would have done on an earlier visit. */
  async function share(player: DemoPlayer, inquiryId: string) {
    const token = await persona<{ data: { id: string } }>('POST', '/connect/share-tokens', {
      data: {
        attributes: { 'connection-id': target.persona.connectionId, 'source-id': inquiryId },
      },
    })
    await coinflow('POST', '/withdraw/kyc/share-token', player.id, {
      vendor: 'persona',
      shareToken: token.data.id,
      email: player.email,
    })
  }

  /**
   * Outside the US, Coinflow wants a document check after the shared identity: the seed fills in
   * its hosted verification page the way the player did.
   */
  async function completeDocumentCheck(player: DemoPlayer, identity: Identity) {
    const response = await target.fetch(`${target.coinflow.baseUrl}/withdraw`, {
      headers: { Authorization: target.coinflow.apiKey, 'x-coinflow-auth-user-id': player.id },
    })
    if (response.status !== 451) {
      throw new SeedError(
        `expected Coinflow to ask ${player.id} for a document, got ${response.status}`,
      )
    }
    const { verificationLink } = (await response.json()) as { verificationLink: string }
    const form = new FormData()
    const fields = {
      firstName: identity.first,
      lastName: identity.last,
      dob: identity.birthdate,
      address1: identity.street,
      city: identity.city,
      state: identity.region,
      zip: identity.postalCode,
      country: player.country,
      documentType: 'PASSPORT',
    }
    for (const [name, value] of Object.entries(fields)) form.set(name, value)
    // Coinflow's page takes a photo of the document and a selfie; the emulator only checks that
    // both arrive, so a few bytes of JPEG header stand in for the pictures a player would take.
    const photo = new Uint8Array([0xff, 0xd8, 0xff, 0xe0])
    form.set('document', new File([photo], 'passport.jpg', { type: 'image/jpeg' }))
    form.set('selfie', new File([photo], 'selfie.jpg', { type: 'image/jpeg' }))
    const submitted = await target.fetch(verificationLink, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    })
    if (submitted.status !== 303) {
      throw new SeedError(`Coinflow's verification page refused ${player.id}: ${submitted.status}`)
    }
  }

  return {
    /** Seeds every player; returns once each is exactly where their journey starts. */
    async seed(players: readonly DemoPlayer[]) {
      const shared: DemoPlayer[] = []
      for (const player of players) {
        const identity = identityOf(player)
        switch (player.journey) {
          case 'new':
            break
          case 'share':
            await inquiry(player, personaFields(player, identity), [
              'start_inquiry',
              'complete_inquiry',
            ])
            break
          case 'needs_more_info':
            // The inquiry never collected an address, which Coinflow needs before paying out.
            await inquiry(player, personaFields(player, identity, false), [
              'start_inquiry',
              'complete_inquiry',
            ])
            break
          case 'declined':
            // The platform pre-filled the inquiry; the magic last name makes Persona's
            // workflow decline it once the player submits Persona's flow.
            await inquiry(
              player,
              { ...personaFields(player, identity), 'name-last': 'Decline' },
              [],
            )
            break
          case 'verified':
          case 'linked':
          case 'iban_eur':
          case 'iban_gbp':
          case 'pix_brl': {
            const id = await inquiry(player, personaFields(player, identity), [
              'start_inquiry',
              'complete_inquiry',
              'approve_inquiry',
            ])
            await share(player, id)
            shared.push(player)
            break
          }
          default:
            player.journey satisfies never
        }
      }
      // Coinflow reviews shared identities a moment later; let that moment pass.
      if (shared.length > 0) await target.advance(target.shareReviewMs)
      for (const player of shared) {
        if (player.country !== 'US') await completeDocumentCheck(player, identityOf(player))
        if (player.journey === 'linked') {
          await coinflow('POST', '/withdraw/account', player.id, {
            alias: 'Everyday Checking',
            routingNumber: '021000021',
            accountNumber: '000123456789',
            type: 'checking',
          })
        }
      }
    },
  }
}
