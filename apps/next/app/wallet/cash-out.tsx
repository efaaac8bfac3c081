'use client'

import type { Money, Speed } from '@shareflow/contract'
import {
  KycShareGate,
  PayoutQuote,
  ShareflowProvider,
  WithdrawButton,
  type WithdrawState,
} from '@shareflow/react'
import { useRouter } from 'next/navigation'
import { useState } from 'react'

/** The payout was accepted (the ledger debited), paid, or failed (the debit given back). */
const BALANCE_MOVED = new Set<WithdrawState>(['processing', 'succeeded', 'failed'])

/**
 * The kit, in a client component: the identity gate, then the quote and the withdraw button. The
 * server rendered the balance; when a payout moves it, the page is rendered again on the server.
 */
export function CashOut({ balance, locale }: { balance: Money; locale: string }) {
  const router = useRouter()
  const { currency } = balance
  const [amount, setAmount] = useState<number | undefined>(Math.min(balance.cents, 50_00))
  const [speed, setSpeed] = useState<Speed>()
  return (
    <ShareflowProvider baseUrl="/api/shareflow" locale={locale}>
      {/* Coinflow announces no "needs more details" by webhook: while it reviews, ask again. */}
      <KycShareGate headingLevel={3} recheckMs={4_000}>
        <div className="cash-out">
          <PayoutQuote
            amount={amount}
            onAmountChange={setAmount}
            currency={currency}
            value={speed}
            onValueChange={setSpeed}
          />
          <WithdrawButton
            amount={amount ? { cents: amount, currency } : undefined}
            speed={speed}
            onStateChange={(state) => {
              if (BALANCE_MOVED.has(state)) router.refresh()
            }}
          />
        </div>
      </KycShareGate>
    </ShareflowProvider>
  )
}
