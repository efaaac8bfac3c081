/**
 * Where Coinflow's hosted withdraw page comes from, which the page's CSP must let it frame. With
 * no vendor keys, the emulator serves it on http://localhost:3000 (the only origin Coinflow's own
 * SDK trusts in its `local` environment); with keys, Coinflow's sandbox or production site.
 */
const live = Boolean(process.env.COINFLOW_API_KEY)
const vendorOrigin =
  process.env.COINFLOW_ENV === 'prod' ? 'https://coinflow.cash' : 'https://sandbox.coinflow.cash'

export const COINFLOW_UI_ORIGIN =
  process.env.COINFLOW_UI_ORIGIN ?? (live ? vendorOrigin : 'http://localhost:3000')
