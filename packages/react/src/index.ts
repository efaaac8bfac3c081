'use client'

export { createShareflowClient } from './client'
export type {
  RequestOptions,
  ShareflowClient,
  ShareflowClientOptions,
  CallInit,
  WriteOptions,
} from './client'
export { ShareflowError, type ShareflowErrorInit } from './errors'
export type { EventStreamTimings, EventSubscriber, LiveStatus } from './event-stream'
export { ShareflowProvider, useShareflow } from './provider'
export type { ShareflowContextValue, ShareflowProviderProps } from './provider'
export {
  en,
  type ChunkMessages,
  type ResolvedMessages,
  type ShareflowLanguage,
  type ShareflowMessages,
} from './messages'
export type { Appearance, AppearanceVariables } from './appearance'
export { useShareflowSession } from './session/use-shareflow-session'
export type { ShareflowSessionResult, ShareflowSessionState } from './session/use-shareflow-session'
export { KycShareGate, type KycShareGateProps } from './kyc-share-gate/kyc-share-gate'
export { useKycShareGate } from './kyc-share-gate/use-kyc-share-gate'
export type {
  KycShareGateController,
  KycShareGateOptions,
} from './kyc-share-gate/use-kyc-share-gate'
export type { KycGateState } from './kyc-share-gate/gate-state'
export { PayoutQuote, type PayoutQuoteProps } from './payout-quote/payout-quote'
export { usePayoutQuote } from './payout-quote/use-payout-quote'
export type {
  PayoutQuoteOptions,
  PayoutQuoteResult,
  PayoutQuoteState,
} from './payout-quote/use-payout-quote'
export { WithdrawButton, type WithdrawButtonProps } from './withdraw-button/withdraw-button'
export { useWithdraw } from './withdraw-button/use-withdraw'
export type {
  IntentStorage,
  WithdrawController,
  WithdrawOptions,
} from './withdraw-button/use-withdraw'
export type { WithdrawState } from './withdraw-button/withdraw-state'
export type { CoinflowLinkInfo, CoinflowLinkProps } from './withdraw-button/coinflow-messages'
export type { CoinflowTheme } from './withdraw-button/coinflow-theme'
