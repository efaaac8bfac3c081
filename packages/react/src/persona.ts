'use client'

/**
 * `@shareflow/react/persona`: Persona's embedded flow for `<KycShareGate openInquiry>`, with the
 * official `persona` SDK. Apart from the main entry, as `./coinflow` is: the payee kit carries
 * neither this code nor the SDK, which loads only once a user starts verifying in a host that
 * chose it.
 *
 * @module
 */
export {
  createPersonaEmbeddedFlow,
  type PersonaEmbeddedFlowOptions,
} from './kyc-share-gate/persona-embed'
