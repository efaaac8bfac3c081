/**
 * Structured logging for the BFF. One JSON object per line, with fields redacted by *name*
 * before anything is written: the logger knows which keys carry secrets or PII (SSN, birthdate,
 * account numbers, API keys, session keys, share tokens, emails …) wherever they sit in the
 * object, and masks secret-shaped strings (JWTs, Persona keys, webhook secrets, emails) in any
 * other value as a second line of defence.
 *
 * @module
 */
import { systemClock, type Clock } from './clock'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFields = Record<string, unknown>

/**
 * Carried by every logger the kit makes (`createJsonLogger`, `createLogger`, `pinoLogger`,
 * `consoleLogger`, …). Another library's logger with the same method names reads the arguments
 * differently (pino's `info(message, …)` takes printf arguments, so every field is dropped), so it
 * must come through an adapter, and without this mark it does not type-check as a `Logger`.
 */
export const SHAREFLOW_LOGGER: unique symbol = Symbol.for('@shareflow/server.logger')

export interface Logger {
  readonly [SHAREFLOW_LOGGER]: true
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
  /** A logger that adds `bindings` to every line (e.g. `{ requestId }`). */
  child(bindings: LogFields): Logger
}

export interface LogRecord extends LogFields {
  level: LogLevel
  time: string
  msg: string
}

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export const REDACTED = '[redacted]'

/**
 * Keys whose values never reach a log line, compared after lower-casing and dropping `-`/`_`,
 * so `birthdate`, `birth-date` and `Birth_Date` all match.
 */
const sensitiveKeys = new Set([
  'authorization',
  'apikey',
  'key',
  'secret',
  'secrets',
  'webhooksecret',
  'webhookkey',
  'validationkey',
  'password',
  'token',
  'accesstoken',
  'sessionkey',
  'sessiontoken',
  'sharetoken',
  'cardtoken',
  'onetimelink',
  'onetimelinkshort',
  'verificationlink',
  'personasignature',
  'coinflowsignature',
  'ssn',
  'socialsecuritynumber',
  'identificationnumber',
  'identificationnumbers',
  'dob',
  'birthdate',
  'dateofbirth',
  'email',
  'emailaddress',
  'phone',
  'phonenumber',
  'accountnumber',
  'routingnumber',
  'wireroutingnumber',
  'iban',
  'pixkey',
  'cardnumber',
  'pan',
  'cvv',
  'firstname',
  'lastname',
  'surname',
  'namefirst',
  'namemiddle',
  'namelast',
  'fullname',
  'physicaladdress',
  'street',
  'zip',
  'postalcode',
  'selfie',
  'selfiephoto',
  'fields',
  'sourcedata',
])

const normalizeKey = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '')

function isSensitiveKey(key: string): boolean {
  const normalized = normalizeKey(key)
  return sensitiveKeys.has(normalized) || normalized.startsWith('address')
}

/**
 * Secret- or PII-shaped substrings masked in any string value, whatever its key. Each comes with
 * `hint`, a cheap test every string it masks must pass: most values (ids, paths, statuses) fail
 * the hints' one combined scan and skip the replacements. A pattern and its hint live side by
 * side, so a new pattern cannot be added without saying what lets it through.
 */
const sensitivePatterns: { mask: RegExp; hint: RegExp }[] = [
  // JWTs (Persona session tokens, Coinflow session keys)
  { mask: /eyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]*/g, hint: /eyJ/ },
  {
    mask: /\b(?:persona_(?:sandbox|production)_|wbhsec_|cnst_)[\w-]+/g,
    hint: /persona_|wbhsec_|cnst_/,
  },
  { mask: /\bBearer\s+[\w.~+/=-]+/gi, hint: /bearer/ },
  { mask: /[\w.+-]+@[\w-]+\.[\w.-]+/g, hint: /@/ }, // email addresses
  { mask: /\b\d{3}-\d{2}-\d{4}\b/g, hint: /\d-/ }, // US SSNs
  { mask: /\b\d{13,19}\b/g, hint: /\d{13}/ }, // card / long account numbers
]

// Case-insensitive, so a hint never lets less through than its (possibly case-insensitive) mask.
const mightBeSensitive = new RegExp(sensitivePatterns.map(({ hint }) => hint.source).join('|'), 'i')

function scrubString(value: string, maxLength: number): string {
  let out = value.length > maxLength ? `${value.slice(0, maxLength)}…` : value
  if (!mightBeSensitive.test(out)) return out
  for (const { mask } of sensitivePatterns) out = out.replace(mask, REDACTED)
  return out
}

function serializeError(error: Error, depth: number, seen: WeakSet<object>): LogFields {
  const out: LogFields = { name: error.name, message: scrubString(error.message, 500) }
  for (const key of ['code', 'status', 'vendor', 'operation', 'kind', 'attempts'] as const) {
    const value = (error as unknown as Record<string, unknown>)[key]
    if (value !== undefined) out[key] = redactValue(value, depth + 1, seen)
  }
  if (error.stack) {
    out.stack = scrubString(error.stack.split('\n').slice(0, 6).join('\n'), 1500)
  }
  if (error.cause !== undefined && depth < 4) out.cause = redactValue(error.cause, depth + 1, seen)
  return out
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubString(value, 2000)
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value
  }
  if (seen.has(value)) return '[circular]'
  if (depth > 6) return '[truncated]'
  seen.add(value)
  if (value instanceof Error) return serializeError(value, depth, seen)
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactValue(v, depth + 1, seen))
  if (value instanceof Date) return value.toISOString()
  const out: LogFields = {}
  for (const [key, v] of Object.entries(value)) {
    out[key] = isSensitiveKey(key) ? REDACTED : redactValue(v, depth + 1, seen)
  }
  return out
}

/**
 * A deep copy of `value` with sensitive keys replaced by `[redacted]` and secret-shaped strings
 * masked. Errors become `{ name, message, stack, cause }`.
 */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet())
}

/**
 * Where a logger's lines go once redacted: the message (secret-shaped parts masked) and the
 * line's fields, bindings included, with sensitive keys replaced and strings masked.
 */
export type LogWrite = (level: LogLevel, message: string, fields: LogFields) => void

export interface LoggerOptions {
  /** Lines below this level are dropped before they are redacted. Default `info`. */
  level?: LogLevel
  /** Fields on every line, e.g. `{ service: 'shareflow' }`. */
  bindings?: LogFields
  /** Drops a line before it is redacted when this says its level is off (a library's own level). */
  isEnabled?: (level: LogLevel) => boolean
}

/** What every logger of one family shares; a child only adds bindings. */
interface LoggerConfig {
  threshold: number
  write: LogWrite
  isEnabled: ((level: LogLevel) => boolean) | undefined
}

/**
 * Methods on a prototype, so `child()` (once per request) allocates one small object rather than
 * a set of closures.
 */
class RedactingLogger implements Logger {
  readonly [SHAREFLOW_LOGGER] = true as const

  constructor(
    private readonly config: LoggerConfig,
    private readonly bindings: LogFields,
  ) {}

  private emit(lineLevel: LogLevel, msg: string, fields: LogFields | undefined) {
    const { threshold, write, isEnabled } = this.config
    if (levelRank[lineLevel] < threshold || (isEnabled && !isEnabled(lineLevel))) return
    write(lineLevel, scrubString(msg, 500), redact({ ...this.bindings, ...fields }) as LogFields)
  }

  debug(msg: string, fields?: LogFields) {
    this.emit('debug', msg, fields)
  }

  info(msg: string, fields?: LogFields) {
    this.emit('info', msg, fields)
  }

  warn(msg: string, fields?: LogFields) {
    this.emit('warn', msg, fields)
  }

  error(msg: string, fields?: LogFields) {
    this.emit('error', msg, fields)
  }

  child(more: LogFields): Logger {
    return new RedactingLogger(this.config, { ...this.bindings, ...more })
  }
}

/**
 * A logger of your own: `write` gets every line already redacted, so it can hand it to any
 * library or service. The adapters below are built on it.
 *
 * @example
 * const logger = createLogger((level, message, fields) => winston.log(level, message, fields))
 */
export function createLogger(
  write: LogWrite,
  { level = 'info', bindings = {}, isEnabled }: LoggerOptions = {},
): Logger {
  return new RedactingLogger({ threshold: levelRank[level], write, isEnabled }, bindings)
}

/** The part of a pino logger the adapter calls: pino's own `(fields, message)` order. */
export interface PinoLike {
  debug(fields: object, message: string): void
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
  isLevelEnabled?(level: string): boolean
}

/**
 * The kit's lines through your pino logger, redacted before pino sees them; pino's own level,
 * destination and transports apply. A raw `pino()` is not a `Logger`: it would take the fields
 * for printf arguments and drop them.
 *
 * @example
 * createShareflowApp({ logger: pinoLogger(pino({ level: 'info' })), … })
 */
export function pinoLogger(pino: PinoLike, options: Omit<LoggerOptions, 'isEnabled'> = {}): Logger {
  return createLogger((level, message, fields) => pino[level](fields, message), {
    level: 'debug',
    ...options,
    isEnabled: (level) => pino.isLevelEnabled?.(level) ?? true,
  })
}

/** The console methods the adapter calls (any `Console`, the global one by default). */
export type ConsoleLike = Pick<Console, LogLevel>

export interface ConsoleLoggerOptions extends LoggerOptions {
  /** Default the global `console`. */
  console?: ConsoleLike
}

/**
 * Each line as `console[level](message, fields)`, redacted first: for Workers, Bun, Deno and the
 * browser's devtools, where the console is the log.
 *
 * @example
 * createShareflowApp({ logger: consoleLogger({ level: 'debug' }), … })
 */
export function consoleLogger({ console: target, ...options }: ConsoleLoggerOptions = {}): Logger {
  return createLogger((level, message, fields) => {
    const out = target ?? globalThis.console
    if (Object.keys(fields).length === 0) out[level](message)
    else out[level](message, fields)
  }, options)
}

export interface JsonLoggerOptions {
  /** Lines below this level are dropped. Default `info`. */
  level?: LogLevel
  /** Where each line goes. Default `console.log`. */
  write?: (line: string) => void
  clock?: Clock
  /** Fields on every line, e.g. `{ service: 'shareflow' }`. */
  bindings?: LogFields
}

/**
 * The default logger: JSON lines, redacted before they are built.
 *
 * @example
 * const logger = createJsonLogger({ level: 'debug' })
 * logger.info('share registered', { userId, state: 'pending' })
 */
export function createJsonLogger({
  level = 'info',
  write = (line) => console.log(line),
  clock = systemClock,
  bindings = {},
}: JsonLoggerOptions = {}): Logger {
  return createLogger(
    (lineLevel, msg, fields) =>
      write(
        JSON.stringify({
          level: lineLevel,
          time: new Date(clock.now()).toISOString(),
          msg,
          ...fields,
        }),
      ),
    { level, bindings },
  )
}

/** A logger that keeps its lines in memory; tests read `lines` to check what was (not) logged. */
export function createMemoryLogger(
  options: Omit<JsonLoggerOptions, 'write'> = {},
): Logger & { lines: string[]; records(): LogRecord[] } {
  const lines: string[] = []
  const logger = createJsonLogger({ level: 'debug', ...options, write: (line) => lines.push(line) })
  return Object.assign(logger, {
    lines,
    records: () => lines.map((line) => JSON.parse(line) as LogRecord),
  })
}

/** Drops everything. */
export const silentLogger: Logger = {
  [SHAREFLOW_LOGGER]: true,
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
}
