import type { Speed } from '@shareflow/contract'
import {
  KycShareGate,
  PayoutQuote,
  ShareflowProvider,
  useShareflow,
  WithdrawButton,
  type Appearance,
} from '@shareflow/react'
import { PayoutHistory } from '@shareflow/react/history'
import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { meKey, type Me } from './api'
import { Avatar } from './Avatar'
import { useI18n } from './i18n'
import { useTheme } from './theme'

/** The kit in the platform's colours, following the page between light and dark. */
const appearances: Record<'light' | 'dark', Appearance> = {
  light: {
    theme: 'light',
    variables: { colorPrimary: '#5b3df5', colorFocus: '#2563eb', borderRadius: '10px' },
  },
  dark: {
    theme: 'dark',
    variables: {
      colorPrimary: '#a899ff',
      colorOnPrimary: '#14152b',
      colorBackground: '#171a2c',
      colorSurface: '#1f2339',
      colorBorder: '#343955',
      colorFocus: '#93c5fd',
      borderRadius: '10px',
    },
  },
}

const kitLocales = { en: 'en-US', de: 'de-DE' } as const

/** The player's wallet: balance, the cash-out panel behind the identity gate, and payouts. */
export function Wallet({ me }: { me: Me }) {
  const { t, language, money } = useI18n()
  const { theme } = useTheme()
  const headingRef = useRef<HTMLHeadingElement>(null)
  useEffect(() => headingRef.current?.focus(), [])
  const { player } = me
  const firstName = player.name.split(' ')[0] ?? player.name

  return (
    <ShareflowProvider
      baseUrl="/api/shareflow"
      locale={kitLocales[language]}
      appearance={appearances[theme]}
    >
      <main id="main" className="page wallet">
        <section className="wallet-hero" aria-labelledby="wallet-title">
          <div className="wallet-who">
            <Avatar id={player.id} name={player.name} size="lg" />
            <div>
              <h1 id="wallet-title" ref={headingRef} tabIndex={-1}>
                {t('walletGreeting', { name: firstName })}
              </h1>
              <p className="wallet-handle">@{player.handle}</p>
            </div>
          </div>
          <div className="wallet-balance">
            <p className="wallet-balance-label" id="balance-label">
              {t('availableBalance')}
            </p>
            <p
              className="wallet-balance-amount"
              aria-describedby="balance-label"
              data-testid="balance"
            >
              {money(me.balance)}
            </p>
          </div>
        </section>
        <LiveBalance />
        <div className="wallet-grid">
          <section className="panel" aria-labelledby="cashout-title">
            <div className="panel-head">
              <h2 id="cashout-title">{t('cashOutTitle')}</h2>
              <p>{t('cashOutBody')}</p>
            </div>
            {/* Coinflow announces no "needs more details" by webhook: while it reviews, the gate
                asks again every few seconds (the BFF decides when to re-ask Coinflow). */}
            <KycShareGate headingLevel={3} recheckMs={4_000}>
              <CashOut me={me} />
            </KycShareGate>
          </section>
          <section className="panel" aria-labelledby="activity-title">
            <div className="panel-head">
              <h2 id="activity-title">{t('activityTitle')}</h2>
            </div>
            {/* The kit's history: live, localized, and honest about a payout that never moved
                money (refused) versus one whose amount came back (failed). */}
            <div data-testid="payout-history">
              <PayoutHistory />
            </div>
          </section>
        </div>
      </main>
    </ShareflowProvider>
  )
}

/** The amount, the speeds on offer for it, and the button that pays it out. */
function CashOut({ me }: { me: Me }) {
  const { currency } = me.player
  const queryClient = useQueryClient()
  const [amount, setAmount] = useState<number | undefined>(() => Math.min(me.balance.cents, 50_00))
  const [speed, setSpeed] = useState<Speed>()
  return (
    <div className="cashout">
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
        onStateChange={() => void queryClient.invalidateQueries({ queryKey: meKey })}
      />
    </div>
  )
}

/**
 * The balance lives in the host's ledger, which the BFF debits, settles and reverses through the
 * payout hooks; every payout event is a reason to read it again.
 */
function LiveBalance() {
  const { client } = useShareflow('LiveBalance')
  const queryClient = useQueryClient()
  useEffect(
    () =>
      client.subscribe({
        onEvent: (event) => {
          if (event.type === 'payout.updated') {
            void queryClient.invalidateQueries({ queryKey: meKey })
          }
        },
        poll: () => queryClient.invalidateQueries({ queryKey: meKey }),
      }),
    [client, queryClient],
  )
  return null
}
