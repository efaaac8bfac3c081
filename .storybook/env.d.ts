// The kit's optional stylesheet, imported for its side effect.
declare module '*.css'
