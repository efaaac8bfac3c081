/**
 * @module
 * Checks HTTP traffic against the vendors' own OpenAPI documents in `vendor-specs/`, so an emulator
 * response (or a request body the BFF sends) that drifts from what Persona or Coinflow publish
 * fails a test instead of passing a hand-written shape check.
 *
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, so Ajv validates them directly. Each document is
 * registered whole under an `$id`, which lets its internal `#/components/...` references resolve
 * without a bundling step; one validator per (operation, status) is compiled on first use.
 *
 * @example
 * const res = await persona.request('http://persona.test/api/v1/inquiries/inq_1', { headers })
 * const body = await expectFetchMatchesSpec('persona', 'GET', '/api/v1/inquiries/inq_1', res)
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import { parse as parseYaml } from 'yaml'

export type Vendor = 'persona' | 'coinflow'
/** Whose document: a vendor's (from `vendor-specs/`) or the BFF's own (see {@link useDocument}). */
export type SpecName = Vendor | 'shareflow'

export interface ObservedResponse {
  method: string
  /** A concrete path (`/api/v1/inquiries/inq_123?include=x`) or a full URL. */
  path: string
  status: number
  /** The parsed JSON body; `undefined` when the response had none. */
  body: unknown
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

interface PathTemplate {
  template: string
  pattern: RegExp
  /** More literal segments win: `/inquiries/search` must not be read as `/inquiries/{inquiry-id}`. */
  literalSegments: number
}

interface LoadedSpec {
  vendor: SpecName
  title: string
  document: JsonObject
  /** The server URL's path (`/api/v1`, `/api`), which concrete paths carry and the spec's keys do not. */
  basePath: string
  templates: PathTemplate[]
  ajv: Ajv2020
  validators: Map<string, ValidateFunction>
}

const specFiles: Partial<Record<SpecName, string>> = {
  persona: 'persona-openapi.yaml',
  coinflow: 'coinflow-openapi.json',
}

const httpMethods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

const loaded = new Map<SpecName, LoadedSpec>()

function loadSpec(vendor: SpecName): LoadedSpec {
  const cached = loaded.get(vendor)
  if (cached) return cached
  const file = specFiles[vendor]
  if (!file)
    throw new Error(`no ${vendor} document loaded; call useDocument('${vendor}', document)`)
  return buildSpec(vendor, readDocument(file))
}

/**
 * Checks later calls for `vendor` against `document`, e.g. the one the running BFF serves at
 * `GET /openapi.json`, so its answers are held to what it says about itself.
 */
export function useDocument(
  vendor: SpecName,
  document: JsonObject,
  { strictTrailingSlash = false }: { strictTrailingSlash?: boolean } = {},
): void {
  loaded.delete(vendor)
  buildSpec(vendor, document, strictTrailingSlash)
}

/**
 * @param strictTrailingSlash `/payouts/` is not `/payouts` (Hono routes strictly); vendors'
 *   servers are read leniently.
 */
function buildSpec(
  vendor: SpecName,
  document: JsonObject,
  strictTrailingSlash = false,
): LoadedSpec {
  const info = asObject(document.info)
  const servers = Array.isArray(document.servers) ? document.servers : []
  const serverUrl = String(asObject(servers[0]).url ?? '/')
  const basePath = new URL(serverUrl, 'http://spec.invalid').pathname.replace(/\/+$/, '')

  const templates = Object.keys(asObject(document.paths))
    .map((template) => ({
      template,
      pattern: templatePattern(template, strictTrailingSlash),
      literalSegments: template.split('/').filter((segment) => segment && !segment.includes('{'))
        .length,
    }))
    .sort((a, b) => b.literalSegments - a.literalSegments)

  const ajv = new Ajv2020({
    // Vendor documents carry OpenAPI-only keywords (`discriminator`, `example`, `xml`) that strict
    // mode would reject; they do not change what a valid instance is.
    strict: false,
    allErrors: true,
    // Meta-validating a 2.3 MB document costs seconds per process and proves nothing about a response.
    validateSchema: false,
    // Ajv's optimiser pass costs more than it saves for validators that run a few dozen times.
    code: { optimize: false },
  })
  addFormats(ajv)
  addOpenApiFormats(ajv)
  ajv.addSchema({ ...document, $id: documentId(vendor) })

  const spec: LoadedSpec = {
    vendor,
    title: `${String(info.title ?? vendor)} ${String(info.version ?? '')}`.trim(),
    document,
    basePath,
    templates,
    ajv,
    validators: new Map(),
  }
  loaded.set(vendor, spec)
  return spec
}

/**
 * Parsing the Persona YAML takes about a second; every vitest worker would pay it. A JSON copy keyed
 * by the file's hash (JSON.parse takes milliseconds) lives under node_modules/.cache, so it is
 * never committed and a changed spec is picked up automatically.
 */
function readDocument(fileName: string): JsonObject {
  const source = readFileSync(new URL(`../vendor-specs/${fileName}`, import.meta.url), 'utf8')
  if (fileName.endsWith('.json')) return JSON.parse(source) as JsonObject

  const cacheDir = fileURLToPath(
    new URL('../node_modules/.cache/shareflow-openapi/', import.meta.url),
  )
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 16)
  const cacheFile = `${cacheDir}${fileName}.${digest}.json`
  try {
    return JSON.parse(readFileSync(cacheFile, 'utf8')) as JsonObject
  } catch {
    const document = parseYaml(source, { maxAliasCount: -1 }) as JsonObject
    try {
      mkdirSync(cacheDir, { recursive: true })
      // Parallel workers may race here: write aside, then rename, so nobody reads half a file.
      const partial = `${cacheFile}.${process.pid}.${Math.random().toString(36).slice(2)}`
      writeFileSync(partial, JSON.stringify(document))
      renameSync(partial, cacheFile)
    } catch {
      // A read-only checkout still works, just slower.
    }
    return document
  }
}

function documentId(vendor: SpecName): string {
  return `https://shareflow.invalid/vendor-specs/${vendor}.json`
}

/** OpenAPI's own format names; Ajv would otherwise warn about each one and check nothing. */
function addOpenApiFormats(ajv: Ajv2020): void {
  const int32 = (value: number) =>
    Number.isInteger(value) && value >= -2_147_483_648 && value <= 2_147_483_647
  ajv.addFormat('int32', { type: 'number', validate: int32 })
  ajv.addFormat('int64', { type: 'number', validate: (value: number) => Number.isInteger(value) })
  ajv.addFormat('integer', { type: 'number', validate: (value: number) => Number.isInteger(value) })
  ajv.addFormat('float', { type: 'number', validate: (value: number) => Number.isFinite(value) })
  ajv.addFormat('double', { type: 'number', validate: (value: number) => Number.isFinite(value) })
  ajv.addFormat('binary', true)
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/)
  ajv.addFormat('password', true)
  ajv.addFormat('json', true)
}

function templatePattern(template: string, strictTrailingSlash: boolean): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) =>
      part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, (char) => `\\${char}`),
    )
    .join('')
  return new RegExp(`^${source}${strictTrailingSlash ? '' : '/?'}$`)
}

function asObject(value: unknown): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : {}
}

/** A local JSON pointer (`#/components/schemas/a~1b`) as unescaped segments. */
function pointerSegments(pointer: string): string[] {
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'))
}

/* ---- Finding the operation ---- */

interface Located {
  /** JSON pointer segments (unescaped) from the document root to `value`. */
  at: string[]
  value: JsonObject
}

/** Follows OpenAPI-level `$ref`s (`#/components/responses/...`) so we know where a schema lives. */
function follow(spec: LoadedSpec, located: Located): Located {
  let current = located
  for (let hops = 0; typeof current.value.$ref === 'string'; hops++) {
    const ref = current.value.$ref
    if (!ref.startsWith('#/') || hops > 20) {
      throw new Error(`${spec.title}: cannot follow $ref ${ref}`)
    }
    const at = pointerSegments(ref)
    let value: Json = spec.document
    for (const part of at) value = asObject(value)[part] ?? null
    current = { at, value: asObject(value) }
  }
  return current
}

function concretePath(spec: LoadedSpec, path: string): string {
  const pathname = /^[a-z]+:\/\//i.test(path)
    ? new URL(path).pathname
    : (path.split(/[?#]/)[0] ?? '')
  if (spec.basePath && (pathname === spec.basePath || pathname.startsWith(`${spec.basePath}/`))) {
    return pathname.slice(spec.basePath.length) || '/'
  }
  return pathname
}

function findOperation(spec: LoadedSpec, method: string, path: string): Located & { name: string } {
  const concrete = concretePath(spec, path)
  const match = spec.templates.find(({ pattern }) => pattern.test(concrete))
  const verb = method.toLowerCase()
  if (!match) {
    throw new Error(
      `${spec.title} has no path matching ${method.toUpperCase()} ${path} ` +
        `(looked for ${concrete} after removing the server base path ${spec.basePath || '/'})`,
    )
  }
  const pathItem = follow(spec, {
    at: ['paths', match.template],
    value: asObject(asObject(spec.document.paths)[match.template]),
  })
  const operation = pathItem.value[verb]
  if (!operation || typeof operation !== 'object') {
    const allowed = Object.keys(pathItem.value).filter((key) => httpMethods.has(key))
    throw new Error(
      `${spec.title} has no ${method.toUpperCase()} operation on ${match.template} ` +
        `(it documents ${allowed.map((key) => key.toUpperCase()).join(', ') || 'none'})`,
    )
  }
  const located = follow(spec, { at: [...pathItem.at, verb], value: asObject(operation) })
  return { ...located, name: `${method.toUpperCase()} ${match.template}` }
}

/** Prefers `application/json`, then any JSON media type (`application/vnd.api+json`). */
function jsonMediaType(content: JsonObject): string | undefined {
  const types = Object.keys(content)
  return (
    types.find((type) => type === 'application/json') ?? types.find((type) => /json/i.test(type))
  )
}

function validatorAt(spec: LoadedSpec, at: string[]): ValidateFunction {
  const fragment = at
    .map((part) => encodeURIComponent(part.replace(/~/g, '~0').replace(/\//g, '~1')))
    .join('/')
  const ref = `${documentId(spec.vendor)}#/${fragment}`
  let validate = spec.validators.get(ref)
  if (!validate) {
    validate = spec.ajv.compile({ $ref: ref })
    spec.validators.set(ref, validate)
  }
  return validate
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  const lines = new Set<string>()
  for (const error of errors ?? []) {
    const where = error.instancePath || '(root)'
    const detail =
      'additionalProperty' in error.params
        ? ` '${String(error.params.additionalProperty)}'`
        : 'allowedValues' in error.params
          ? `: ${JSON.stringify(error.params.allowedValues)}`
          : ''
    lines.add(`${where} ${error.message ?? error.keyword}${detail}`)
  }
  return [...lines]
}

function bodyIsEmpty(body: unknown): boolean {
  return body === undefined || body === null || body === ''
}

/* ---- Public API ---- */

/**
 * Throws unless `res` is something the vendor's spec says this operation can answer: the status is
 * listed (exactly, or through `4XX`/`5XX`/`default`) and the body validates against its schema.
 */
export function expectResponseMatchesSpec(vendor: SpecName, res: ObservedResponse): void {
  const spec = loadSpec(vendor)
  const operation = findOperation(spec, res.method, res.path)
  const responses = asObject(operation.value.responses)
  const status = String(res.status)
  const key = [status, `${status[0]}XX`, `${status[0]}xx`, 'default'].find(
    (code) => code in responses,
  )
  if (!key) {
    throw new Error(
      `${operation.name} answered ${status}, which ${spec.title} does not list for this operation ` +
        `(it lists ${Object.keys(responses).join(', ')})`,
    )
  }
  const response = follow(spec, {
    at: [...operation.at, 'responses', key],
    value: asObject(responses[key]),
  })
  const content = asObject(response.value.content)
  const mediaType = jsonMediaType(content)
  if (!mediaType) {
    if (Object.keys(content).length === 0 && bodyIsEmpty(res.body)) return
    throw new Error(
      Object.keys(content).length === 0
        ? `${operation.name} ${status}: ${spec.title} documents no body, but one was sent`
        : `${operation.name} ${status}: ${spec.title} documents no JSON body (${Object.keys(content).join(', ')})`,
    )
  }
  if (!('schema' in asObject(content[mediaType]))) return

  const validate = validatorAt(spec, [...response.at, 'content', mediaType, 'schema'])
  if (validate(res.body)) return
  const problems = describeErrors(validate.errors)
  const shown = problems.slice(0, 25)
  throw new Error(
    [
      `${operation.name} ${status} does not match ${spec.title} (response ${key}):`,
      ...shown.map((line) => `  - ${line}`),
      ...(problems.length > shown.length ? [`  … and ${problems.length - shown.length} more`] : []),
      `  body: ${truncate(JSON.stringify(res.body))}`,
    ].join('\n'),
  )
}

/**
 * Reads a fetch `Response` (JSON or empty), checks it with {@link expectResponseMatchesSpec} and
 * returns the parsed body for further assertions.
 */
export async function expectFetchMatchesSpec<Body = any>(
  vendor: SpecName,
  method: string,
  path: string,
  response: Response,
): Promise<Body> {
  const text = await response.text()
  let body: unknown
  if (text !== '') {
    const contentType = response.headers.get('content-type') ?? ''
    if (!/json/i.test(contentType)) {
      throw new Error(
        `${method.toUpperCase()} ${path} answered ${response.status} with ${contentType || 'no content type'}, not JSON: ${truncate(text)}`,
      )
    }
    try {
      body = JSON.parse(text)
    } catch {
      throw new Error(
        `${method.toUpperCase()} ${path} answered ${response.status} with malformed JSON: ${truncate(text)}`,
      )
    }
  }
  expectResponseMatchesSpec(vendor, { method, path, status: response.status, body })
  return body as Body
}

/**
 * The schema violations of a request body for an operation, as readable lines; empty when the
 * vendor would accept it. Unknown operations and undocumented bodies are violations too.
 */
export function requestBodySchemaErrors(
  vendor: SpecName,
  method: string,
  path: string,
  body: unknown,
): string[] {
  const spec = loadSpec(vendor)
  let operation: ReturnType<typeof findOperation>
  try {
    operation = findOperation(spec, method, path)
  } catch (error) {
    return [(error as Error).message]
  }
  if (!operation.value.requestBody) {
    return bodyIsEmpty(body) ? [] : [`${operation.name} takes no request body in ${spec.title}`]
  }
  const requestBody = follow(spec, {
    at: [...operation.at, 'requestBody'],
    value: asObject(operation.value.requestBody),
  })
  if (bodyIsEmpty(body)) {
    return requestBody.value.required === true
      ? [`${operation.name} requires a request body in ${spec.title}`]
      : []
  }
  const content = asObject(requestBody.value.content)
  const mediaType = jsonMediaType(content)
  if (!mediaType) {
    return [
      `${operation.name} takes no JSON request body in ${spec.title} (${Object.keys(content).join(', ')})`,
    ]
  }
  if (!('schema' in asObject(content[mediaType]))) return []
  const validate = validatorAt(spec, [...requestBody.at, 'content', mediaType, 'schema'])
  return validate(body) ? [] : describeErrors(validate.errors)
}

/**
 * The schema violations of a webhook body the vendor would send for `event` (the spec's
 * `webhooks` section, e.g. Persona's `inquiry.completed`); empty when it matches.
 */
export function webhookBodySchemaErrors(vendor: SpecName, event: string, body: unknown): string[] {
  const spec = loadSpec(vendor)
  const webhook = asObject(asObject(spec.document.webhooks)[event])
  const operation = asObject(webhook.post)
  if (!operation.requestBody) return [`${spec.title} documents no webhook named ${event}`]
  const requestBody = follow(spec, {
    at: ['webhooks', event, 'post', 'requestBody'],
    value: asObject(operation.requestBody),
  })
  const mediaType = jsonMediaType(asObject(requestBody.value.content)) ?? 'application/json'
  const validate = validatorAt(spec, [...requestBody.at, 'content', mediaType, 'schema'])
  return validate(body) ? [] : describeErrors(validate.errors)
}

/**
 * The schema violations of `value` against any schema in the document, named by a local JSON
 * pointer (`#/components/responses/service-unavailable/content/application~1json/schema`).
 */
export function schemaErrorsAt(vendor: SpecName, pointer: string, value: unknown): string[] {
  const spec = loadSpec(vendor)
  const validate = validatorAt(spec, pointerSegments(pointer))
  return validate(value) ? [] : describeErrors(validate.errors)
}

function truncate(text: string | undefined, limit = 600): string {
  if (text === undefined) return '(none)'
  return text.length > limit ? `${text.slice(0, limit)}…` : text
}

/**
 * The JSON request-body schema of an operation, `$ref`s left as they are, with the document they
 * point into; null when the operation takes no JSON body. For generating requests from the spec.
 */
export function requestBodySchema(
  vendor: SpecName,
  method: string,
  path: string,
): { schema: Json; document: JsonObject } | null {
  const spec = loadSpec(vendor)
  const operation = findOperation(spec, method, path)
  if (!operation.value.requestBody) return null
  const requestBody = follow(spec, {
    at: [...operation.at, 'requestBody'],
    value: asObject(operation.value.requestBody),
  })
  const content = asObject(requestBody.value.content)
  const mediaType = jsonMediaType(content)
  if (!mediaType) return null
  const schema = asObject(content[mediaType]).schema
  return schema === undefined ? null : { schema, document: spec.document }
}

/** Whether the document has an operation for `method` at the concrete `path`. */
export function documentsOperation(vendor: SpecName, method: string, path: string): boolean {
  try {
    findOperation(loadSpec(vendor), method, path)
    return true
  } catch {
    return false
  }
}
