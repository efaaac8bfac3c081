/** `<PayoutHistory>`'s English, in its entry (see `ChunkMessages` in ../messages.ts). */
export const historyEn = {
  historyLoading: 'Loading your payouts…',
  historyEmpty: 'No payouts yet.',
  historyMore: 'Show older payouts',
  /** On its way: accepted, debited, sent, or waiting for Coinflow. */
  history_processing: 'On its way',
  history_succeeded: 'Paid out',
  /** Failed after the debit: the host gave the amount back (the reason says so). */
  history_failed: 'Failed',
  /** The host said no before anything moved: nothing was taken, so nothing is "returned". */
  history_refused: 'Not sent. Nothing was taken from your balance.',
}
