// Express 4, installed beside Express 5 under an alias; the two share the API the tests use.
declare module 'express-4' {
  import express from 'express'
  export default express
}
