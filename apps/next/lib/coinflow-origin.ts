/**
 * Where Coinflow's hosted withdraw page comes from, which the page's CSP must let it frame. On the
 * emulator that is http://localhost:3000, the only origin Coinflow's own SDK trusts in its `local`
 * environment; with real keys, `https://sandbox.coinflow.cash` or `https://coinflow.cash`.
 */
export const COINFLOW_UI_ORIGIN = process.env.COINFLOW_UI_ORIGIN ?? 'http://localhost:3000'
