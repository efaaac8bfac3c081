import {
  inquiryFieldsOf,
  sandboxAccounts,
  sandboxPeople,
  type Emulator,
} from '@shareflow/server/emulator'
import { sandboxCredentials } from '@shareflow/server/sandbox'
import type { ExampleUser } from './users'

/**
 * Gives a `verified` user the vendor history they would have on a real platform, through the
 * emulator's own Persona and Coinflow APIs (nothing is written into the BFF): a Persona inquiry
 * they finished and Persona approved, shared with Coinflow, and a US bank account linked there.
 */
export async function seedVerifiedUser(emulator: Emulator, user: ExampleUser) {
  // The vendors' real API addresses, which the emulator answers in process.
  const vendors = {
    persona: { ...sandboxCredentials.persona, baseUrl: 'https://api.withpersona.com/api/v1' },
    coinflow: { ...sandboxCredentials.coinflow, baseUrl: 'https://api-sandbox.coinflow.cash/api' },
  }
  const call = async <T>(url: string, headers: Record<string, string>, body: unknown) => {
    const response = await emulator.fetch(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (!response.ok)
      throw new Error(`Seeding ${user.id}: ${new URL(url).pathname} answered ${response.status}`)
    return (await response.json()) as T
  }
  const persona = <T>(path: string, body: unknown) =>
    call<T>(
      `${vendors.persona.baseUrl}${path}`,
      {
        Authorization: `Bearer ${vendors.persona.apiKey}`,
      },
      body,
    )
  const coinflow = (path: string, body: unknown) =>
    call(
      `${vendors.coinflow.baseUrl}${path}`,
      {
        Authorization: vendors.coinflow.apiKey,
        'x-coinflow-auth-user-id': user.id,
      },
      body,
    )

  const person = { ...sandboxPeople.usVerified, email: user.email }
  const inquiry = await persona<{ data: { id: string } }>('/inquiries', {
    data: {
      attributes: {
        'inquiry-template-id': vendors.persona.templateId,
        'reference-id': user.id,
        fields: inquiryFieldsOf(person),
      },
    },
  })
  await persona(`/inquiries/${inquiry.data.id}/perform-simulate-actions`, {
    meta: {
      'simulate-actions': ['start_inquiry', 'complete_inquiry', 'approve_inquiry'].map((type) => ({
        type,
      })),
    },
  })
  const token = await persona<{ data: { id: string } }>('/connect/share-tokens', {
    data: {
      attributes: { 'connection-id': vendors.persona.connectionId, 'source-id': inquiry.data.id },
    },
  })
  await coinflow('/withdraw/kyc/share-token', {
    vendor: 'persona',
    shareToken: token.data.id,
    email: user.email,
  })
  // Coinflow reviews a shared identity for a few seconds; that review happened long ago.
  emulator.clock.advance(10_000)
  await emulator.flush()
  await coinflow('/withdraw/account', { ...sandboxAccounts.usChecking, alias: 'Everyday Checking' })
}
