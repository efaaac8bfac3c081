import { useMe } from './api'
import { Header } from './Header'
import { useI18n } from './i18n'
import { LoadFailed } from './LoadFailed'
import { SignIn } from './SignIn'
import { Wallet } from './Wallet'

/**
 * Vendor pages (Persona's flow, Coinflow's verification) send the player back here with
 * `?returned=1`; in the tab they opened, there is nothing left to do but close it.
 */
function ReturnedFromVendor() {
  const { t } = useI18n()
  return (
    <main id="main" className="page done">
      <h1>{t('doneTitle')}</h1>
      <p className="lede">{t('doneBody')}</p>
      <a className="button button-primary" href="/">
        {t('backToWallet')}
      </a>
    </main>
  )
}

export function App() {
  const { t } = useI18n()
  const me = useMe()
  const returned = new URLSearchParams(location.search).has('returned')
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <Header player={me.data?.player} />
      {returned ? (
        <ReturnedFromVendor />
      ) : me.isPending ? (
        <main id="main" className="page" aria-busy="true">
          <p className="muted">{t('loading')}</p>
        </main>
      ) : me.isError ? (
        <main id="main" className="page">
          <LoadFailed onRetry={() => void me.refetch()} />
        </main>
      ) : me.data ? (
        <Wallet me={me.data} />
      ) : (
        <SignIn />
      )}
      <footer className="footer">
        <p>{t('demoNotice')}</p>
      </footer>
    </div>
  )
}
