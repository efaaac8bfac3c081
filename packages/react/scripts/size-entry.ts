// What the size budget measures: the provider, the hooks and the three components.
export {
  createShareflowClient,
  KycShareGate,
  PayoutQuote,
  ShareflowProvider,
  useKycShareGate,
  usePayoutQuote,
  useShareflowSession,
  useWithdraw,
  WithdrawButton,
} from '../src/index'
