/**
 * The linking dialog's English, in its chunk (see `ChunkMessages` in messages.ts): a verified
 * payee with an account never downloads it.
 */
export const linkEn = {
  frameTitle: 'Link a payout account with Coinflow',
  frameHeading: 'Link a payout account',
  frameLoading: 'Loading Coinflow…',
  frameClose: 'Close',
  frameLinkFailed: 'Coinflow could not link this account. Try another one.',
  frameLinkFailedCard:
    'Coinflow could not link this card: it cannot receive payouts. Try another card or account.',
}
