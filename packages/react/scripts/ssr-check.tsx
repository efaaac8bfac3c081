/**
 * Renders the whole kit on a server (plain Node: no window, no document) and prints what came out,
 * as JSON: the HTML and anything React or the kit warned about. Run by `src/ssr.test.ts`.
 */
import { renderToString } from 'react-dom/server'
import { KycShareGate, PayoutQuote, ShareflowProvider, WithdrawButton } from '../src/index'

const warnings: string[] = []
for (const level of ['error', 'warn'] as const) {
  console[level] = (...args: unknown[]) => warnings.push(args.map(String).join(' '))
}

const html = renderToString(
  <ShareflowProvider baseUrl="https://host.example/api/shareflow" appearance={{ theme: 'dark' }}>
    <KycShareGate>
      <p>Cash out</p>
    </KycShareGate>
    <PayoutQuote defaultAmount={25_00} currency="USD" />
    <WithdrawButton amount={{ cents: 25_00, currency: 'USD' }} speed="asap" />
  </ShareflowProvider>,
)

process.stdout.write(JSON.stringify({ html, warnings, hasWindow: typeof window !== 'undefined' }))
