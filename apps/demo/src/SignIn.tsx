import { useEffect, useRef } from 'react'
import { usePlayers, useSignIn } from './api'
import { Avatar } from './Avatar'
import { useI18n } from './i18n'
import { LoadFailed } from './LoadFailed'

/** The demo's sign-in: one card per player, each starting at a different point of the journey. */
export function SignIn() {
  const { t, money } = useI18n()
  const players = usePlayers(true)
  const signIn = useSignIn()
  const headingRef = useRef<HTMLHeadingElement>(null)
  useEffect(() => headingRef.current?.focus(), [])

  return (
    <main id="main" className="page sign-in">
      <div className="page-intro">
        <h1 ref={headingRef} tabIndex={-1}>
          {t('signInTitle')}
        </h1>
        <p className="lede">{t('signInBody')}</p>
      </div>
      {players.isPending && <p className="muted">{t('loading')}</p>}
      {players.isError && <LoadFailed onRetry={() => void players.refetch()} />}
      {signIn.isError && (
        <p role="alert" className="alert">
          {t('signInFailed')}
        </p>
      )}
      <ul className="player-grid">
        {players.data?.players.map((player) => {
          const busy = signIn.isPending && signIn.variables === player.id
          return (
            <li key={player.id} className="player-card" data-journey={player.journey}>
              <div className="player-head">
                <Avatar id={player.id} name={player.name} />
                <div>
                  <p className="player-name">{player.name}</p>
                  <p className="player-handle">
                    @{player.handle} · <abbr title={player.country}>{player.country}</abbr>
                  </p>
                </div>
                <p className="player-balance">
                  <span className="visually-hidden">{t('balanceLabel')}: </span>
                  {money(player.balance)}
                </p>
              </div>
              <p className="player-journey">{t(`journey_${player.journey}`)}</p>
              <button
                type="button"
                className="button button-primary"
                onClick={() => signIn.mutate(player.id)}
                disabled={signIn.isPending}
                aria-busy={busy}
              >
                {busy ? t('signingIn') : t('signInAs', { name: player.name })}
              </button>
            </li>
          )
        })}
      </ul>
    </main>
  )
}
