import { headers } from 'next/headers'
import { redirect } from 'next/navigation'
import { currentUser } from '../../lib/current-user'
import { getShareflow } from '../../lib/shareflow'
import { signOut } from '../actions'
import { CashOut } from './cash-out'

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })

/** Rendered on the server per request: the balance from the platform's ledger, then the kit. */
export default async function WalletPage() {
  const user = await currentUser()
  if (!user) redirect('/')
  const balance = (await getShareflow()).ledger.balanceOf(user)
  // The kit speaks English and German; it follows the browser here, a host would use its own choice.
  const language = (await headers()).get('accept-language') ?? ''
  const locale = /^de\b/i.test(language) ? 'de-DE' : 'en-US'
  return (
    <main>
      <h1>Hello, {user.name.split(' ')[0]}</h1>
      <p>
        Available balance:{' '}
        <span className="balance" data-testid="balance">
          {usd.format(balance.cents / 100)}
        </span>
      </p>
      <form action={signOut}>
        <button type="submit" className="sign-out">
          Sign out
        </button>
      </form>
      <section className="panel" aria-labelledby="cash-out-title">
        <h2 id="cash-out-title">Cash out</h2>
        <CashOut balance={balance} locale={locale} />
      </section>
    </main>
  )
}
