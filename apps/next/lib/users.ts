import type { Money } from '@shareflow/contract'

/** The example platform's users, one per journey the example shows. */
export interface ExampleUser {
  id: string
  name: string
  email: string
  /** What the platform owes them, in its own ledger. */
  openingBalance: Money
  /** Where their vendor history starts (`seed.ts`). */
  journey: 'verified' | 'new'
}

export const USERS: readonly ExampleUser[] = [
  {
    // Verified with Persona, known to Coinflow, a bank account linked: straight to cashing out.
    id: 'jane-doe',
    name: 'Jane Doe',
    email: 'jane@example.com',
    openingBalance: { cents: 500_00, currency: 'USD' },
    journey: 'verified',
  },
  {
    // Never verified: Persona's flow first, then the kit shares it with Coinflow.
    id: 'sam-rivera',
    name: 'Sam Rivera',
    email: 'sam@example.com',
    openingBalance: { cents: 120_00, currency: 'USD' },
    journey: 'new',
  },
]

export const findUser = (id: string | undefined) => USERS.find((user) => user.id === id)
