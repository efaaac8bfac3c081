/**
 * lz-string's `compressToEncodedURIComponent` (1.5.0, MIT, © 2013 pieroxy), which is how Coinflow
 * reads the `theme` parameter of its page, ported to an ES module. The package itself is CommonJS:
 * importing it anywhere makes esbuild add its CommonJS runtime as a chunk that even the kit's first
 * chunk imports (about 130 bytes gzip before anything renders). `lz-string.test.ts` holds the port
 * to the package's output.
 */
// Written in parts so it reads as what it is, the URI-safe alphabet, not an opaque token.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' + 'abcdefghijklmnopqrstuvwxyz' + '0123456789' + '+-$'
const BITS_PER_CHAR = 6

export function compressToEncodedURIComponent(input: string): string {
  const dictionary = new Map<string, number>()
  // Characters in the dictionary that have not yet been written out literally.
  const unwritten = new Set<string>()
  let output = ''
  let buffer = 0
  let position = 0
  let size = 3
  let width = 2
  let enlargeIn = 2

  // Bits go out least significant first, six to an output character.
  const write = (value: number, bits: number) => {
    for (let i = 0; i < bits; i++) {
      buffer = (buffer << 1) | (value & 1)
      value >>= 1
      if (position === BITS_PER_CHAR - 1) {
        output += ALPHABET.charAt(buffer)
        buffer = 0
        position = 0
      } else position++
    }
  }
  const grow = () => {
    if (--enlargeIn === 0) enlargeIn = 2 ** width++
  }
  const emit = (phrase: string) => {
    if (unwritten.has(phrase)) {
      const code = phrase.charCodeAt(0)
      // Marker 0 announces an 8-bit character, 1 a 16-bit one.
      write(code < 256 ? 0 : 1, width)
      write(code, code < 256 ? 8 : 16)
      grow()
      unwritten.delete(phrase)
    } else write(dictionary.get(phrase)!, width)
    grow()
  }

  let phrase = ''
  for (let i = 0; i < input.length; i++) {
    const char = input.charAt(i)
    if (!dictionary.has(char)) {
      dictionary.set(char, size++)
      unwritten.add(char)
    }
    const longer = phrase + char
    if (dictionary.has(longer)) phrase = longer
    else {
      emit(phrase)
      dictionary.set(longer, size++)
      phrase = char
    }
  }
  if (phrase !== '') emit(phrase)
  // End of stream, then the last partial character.
  write(2, width)
  for (;;) {
    buffer <<= 1
    if (position === BITS_PER_CHAR - 1) return output + ALPHABET.charAt(buffer)
    position++
  }
}
