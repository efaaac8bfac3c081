export { MAX_AMOUNT_CENTS } from './limits'
export { Currency, Money, PositiveMoney } from './money'
export { Balance, BalanceQuery } from './balance'
export { ErrorCode, ErrorEnvelope, FieldError, errorStatus } from './errors'
export { InquiryLink, KycNextAction, KycReason, KycState, KycStatus } from './kyc'
export {
  BUSINESS_COUNTRIES,
  BeneficialOwner,
  BusinessDetails,
  BusinessEntityType,
  BusinessFieldProblem,
  BusinessState,
  BusinessStatus,
  ControllingPerson,
  MAX_BENEFICIAL_OWNERS,
  PostalAddress,
  type BusinessCountry,
} from './business'
export {
  AddCardRequest,
  AddIbanRequest,
  AddPixRequest,
  Destination,
  DestinationList,
  DestinationType,
  Speed,
} from './destinations'
export { Quote, QuoteOption, QuoteRequest, UnavailableReason } from './quotes'
export { CreatePayoutRequest, IdempotencyKey, Payout, PayoutList, PayoutState } from './payouts'
export { CoinflowBrowserSession, CoinflowEnv, Session } from './session'
export { ShareflowEvent, type ShareflowEventType } from './events'
export { BreakerState, Health, Readiness } from './health'
export {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  REQUEST_ID_HEADER,
  browserRoutes,
} from './browser-routes'
export { routes } from './routes'
export {
  CaseFacts,
  JournalEntry,
  JournalPage,
  MerchantBalance,
  OperatorAction,
  OperatorActionRequest,
  OperatorUserRecord,
  RelatedObject,
  RelationList,
  ReviewEntry,
  ReviewQueuePage,
  ReviewReason,
  SetCaseStatusRequest,
  opsRoutes,
} from './ops'
