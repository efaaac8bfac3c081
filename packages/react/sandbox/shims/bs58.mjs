// Stands in for bs58 (see solana-web3.mjs): only Solana signing would call it.
const unavailable = () => {
  throw new Error('bs58 is not available: this page pays out to bank accounts, cards, IBAN and PIX')
}
export default { encode: unavailable, decode: unavailable }
