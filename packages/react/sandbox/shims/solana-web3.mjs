// Stands in for @solana/web3.js, which @coinflowlabs/react imports statically although a
// session-key (bank, card, IBAN, PIX) withdrawal never signs a Solana transaction.
export {}
