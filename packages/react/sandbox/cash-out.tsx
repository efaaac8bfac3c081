import type { Speed } from '@shareflow/contract'
import { useState } from 'react'
import { PayoutQuote } from '../src/payout-quote/payout-quote'
import { WithdrawButton } from '../src/withdraw-button/withdraw-button'

/** The quote and the button as a host wires them: the stories' cash-out panel, $40.00 to start. */
export function CashOutPanel() {
  const [amount, setAmount] = useState<number | undefined>(40_00)
  const [speed, setSpeed] = useState<Speed>()
  return (
    <div className="story-cash-out">
      <PayoutQuote
        amount={amount}
        onAmountChange={setAmount}
        currency="USD"
        value={speed}
        onValueChange={setSpeed}
      />
      <WithdrawButton
        amount={amount ? { cents: amount, currency: 'USD' } : undefined}
        speed={speed}
        storage={null}
      />
    </div>
  )
}
