/** Liveness and configuration health: no secrets, only whether they are present. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { jurisdictionConfig } from '../../domain/jurisdictions';
import type { AppEnv } from '../http/app-env';
import { json } from '../schemas';

export const system = new OpenAPIHono<AppEnv>();

system.openapi(createRoute({
  method: 'get', path: '/health', tags: ['System'], summary: 'Health and configuration check',
  responses: { 200: json(z.object({
    status: z.enum(['ok', 'degraded']), environment: z.string(), jurisdiction_config_version: z.string(),
    checks: z.record(z.string(), z.boolean()), country: z.string(),
  }), 'Health') },
}), (c) => {
  const key: string | undefined = c.env.SESSION_SIGNING_KEY; // declared, but a deployment may lack it
  const checks = {
    session_signing_key: typeof key === 'string' && key.length >= 32,
    player_objects: !!c.env.PLAYER,
    directory_objects: !!c.env.DIRECTORY,
  };
  return c.json({
    status: Object.values(checks).every(Boolean) ? 'ok' as const : 'degraded' as const,
    environment: String(c.env.ENVIRONMENT), jurisdiction_config_version: jurisdictionConfig.version, checks, country: c.get('country'),
  }, 200);
});
