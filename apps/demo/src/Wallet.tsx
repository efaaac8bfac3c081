import type { Payout, Speed } from '@shareflow/contract'
import {
  KycShareGate,
  PayoutQuote,
  ShareflowProvider,
  useShareflow,
  WithdrawButton,
  type Appearance,
} from '@shareflow/react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { meKey, type Me } from './api'
import { Avatar } from './Avatar'
import { useI18n } from './i18n'
import { LoadFailed } from './LoadFailed'
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
            <PayoutHistory />
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
            void queryClient.invalidateQueries({ queryKey: ['demo', 'payouts'] })
          }
        },
        poll: () => queryClient.invalidateQueries({ queryKey: meKey }),
      }),
    [client, queryClient],
  )
  return null
}

const payoutTone: Record<Payout['state'], 'pending' | 'done' | 'failed'> = {
  accepted: 'pending',
  authorized: 'pending',
  submitted: 'pending',
  pending: 'pending',
  succeeded: 'done',
  failed: 'failed',
  refused: 'failed',
}

/** The player's payouts from the BFF, newest first, kept current by the event stream. */
function PayoutHistory() {
  const { client, messages: m } = useShareflow('PayoutHistory')
  const { t, money, dateTime } = useI18n()
  const payouts = useQuery({
    queryKey: ['demo', 'payouts'],
    queryFn: ({ signal }) => client.listPayouts({}, { signal }),
  })
  if (payouts.isPending) return <p className="muted">{t('loading')}</p>
  if (payouts.isError) {
    return <LoadFailed onRetry={() => void payouts.refetch()} />
  }
  const list = payouts.data.payouts
  if (list.length === 0) return <p className="muted">{t('activityEmpty')}</p>
  return (
    <ul className="activity" aria-live="polite" data-testid="payout-history">
      {list.map((payout) => {
        const tone = payoutTone[payout.state]
        const speed = payout.effectiveSpeed ?? payout.speed
        return (
          <li
            key={payout.id}
            className="activity-item"
            data-state={tone}
            data-payout-id={payout.id}
          >
            <span className="activity-dot" aria-hidden="true" />
            <div>
              <p className="activity-title">{t(`payout_${tone}`)}</p>
              <p className="activity-meta">
                {payout.destination.label} ••{payout.destination.last4} · {m[`speed_${speed}`]} ·{' '}
                {dateTime(payout.createdAt)}
              </p>
              {payout.failureReason && <p className="activity-meta">{payout.failureReason}</p>}
            </div>
            <p className="activity-amount">{money(payout.amount)}</p>
          </li>
        )
      })}
    </ul>
  )
}
