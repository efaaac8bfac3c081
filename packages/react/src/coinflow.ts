'use client'

/**
 * `@shareflow/react/coinflow`: the components that show Coinflow's withdraw page, for hosts that
 * pick one themselves (`<WithdrawButton coinflowComponent={CoinflowSdkWithdraw}>`) or use it in
 * their own UI. Apart from the main entry because `<WithdrawButton>` loads its frame only when a
 * user first links an account; a static export beside the components would put it in every
 * host's first download.
 *
 * @module
 */
export { CoinflowWithdrawFrame } from './withdraw-button/coinflow-withdraw-frame'
export { CoinflowSdkWithdraw } from './withdraw-button/coinflow-sdk-withdraw'
export type { CoinflowLinkInfo, CoinflowLinkProps } from './withdraw-button/coinflow-messages'
export type { CoinflowTheme } from './withdraw-button/coinflow-theme'
