import { shareflowRouteHandlers } from '@shareflow/server'
import { getShareflow } from '../../../../lib/shareflow'

// The BFF answers per user and streams events: never prerendered, never cached, always Node.
export const dynamic = 'force-dynamic'
export const runtime = 'nodejs'

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = shareflowRouteHandlers(
  async () => (await getShareflow()).app,
  { basePath: '/api/shareflow' },
)
