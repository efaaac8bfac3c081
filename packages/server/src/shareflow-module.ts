/**
 * What a module of the BFF is: a domain's routes (payouts is one), mounted by
 * `createShareflowApp` after the built-in ones and handed the app's shared services.
 *
 * @module
 */
import type { Hono } from 'hono'
import type { OpenApiPaths } from './openapi'
import type { ShareflowEnv } from './request-context'
import type { ShareflowServices } from './services'

/** A domain's routes, mounted by `createShareflowApp` after the built-in ones. */
export interface ShareflowModule {
  name: string
  register(app: Hono<ShareflowEnv>, services: ShareflowServices): void
  /** Its routes' OpenAPI path items, merged into `GET /openapi.json`. */
  openapi?: OpenApiPaths
}
