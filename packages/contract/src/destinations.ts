import { z } from 'zod'
import { Currency } from './money'

/** Payout speeds, Coinflow's `WithdrawSpeed` values the kit supports. */
export const Speed = z.enum(['card', 'asap', 'same_day', 'standard', 'iban', 'pix'])
export type Speed = z.infer<typeof Speed>

export const DestinationType = z.enum(['bank_account', 'card', 'iban', 'pix'])
export type DestinationType = z.infer<typeof DestinationType>

/**
 * A linked payout destination, masked. `id` is Coinflow's account token: a reference, not a
 * secret; the BFF checks it belongs to the signed-in user before using it.
 */
export const Destination = z.strictObject({
  id: z.string().min(1).max(200),
  type: DestinationType,
  /** What the user named it, or the bank/card brand. */
  label: z.string(),
  /** Last four characters of the account number, card number, IBAN or PIX key. */
  last4: z.string().max(4),
  currency: Currency,
  speeds: z.array(Speed),
})
export type Destination = z.infer<typeof Destination>

export const DestinationList = z.strictObject({ destinations: z.array(Destination) })
export type DestinationList = z.infer<typeof DestinationList>

/** `POST /destinations/iban`: for hosts that build their own form. */
export const AddIbanRequest = z.strictObject({
  /** IBAN, or a UK 8-digit account number with `sortCode`. */
  number: z.string().trim().min(8).max(34),
  sortCode: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  bic: z
    .string()
    .regex(/^[A-Z0-9]{8}([A-Z0-9]{3})?$/)
    .optional(),
  accountHolder: z.string().trim().min(1).max(140).optional(),
  alias: z.string().trim().min(1).max(60).optional(),
})
export type AddIbanRequest = z.infer<typeof AddIbanRequest>

/** `POST /destinations/pix`. */
export const AddPixRequest = z.strictObject({
  pixKey: z.string().trim().min(1).max(77),
})
export type AddPixRequest = z.infer<typeof AddPixRequest>

/** `POST /destinations/card`: a token from Coinflow's card tokenizer; raw card numbers never reach the BFF. */
export const AddCardRequest = z.strictObject({
  cardToken: z.string().min(1).max(200),
  expMonth: z.string().regex(/^(0[1-9]|1[0-2])$/),
  expYear: z.string().regex(/^\d{2}$/),
})
export type AddCardRequest = z.infer<typeof AddCardRequest>
