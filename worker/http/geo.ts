/**
 * Geo-blocking: the request's country comes from Cloudflare (`request.cf.country`). Only in
 * development mode may a header (X-Dev-Country) or the DEV_COUNTRY variable override it, because
 * wrangler dev offline has no real geolocation.
 */
import { createMiddleware } from 'hono/factory';
import { jurisdictionForCountry } from '../../domain/jurisdictions';
import { isDevelopment, type AppEnv } from './app-env';
import { ApiError } from './errors';

export function requestCountry(req: Request, env: Env): string {
  if (isDevelopment(env)) {
    const override = req.headers.get('X-Dev-Country') ?? env.DEV_COUNTRY;
    if (override && /^[A-Z]{2}$/.test(override)) return override;
  }
  const cf = (req as { cf?: { country?: unknown } }).cf;
  return typeof cf?.country === 'string' ? cf.country : 'XX';
}

/** Resolves the country for every request and records its jurisdiction (or null). */
export const resolveGeo = createMiddleware<AppEnv>(async (c, next) => {
  const country = requestCountry(c.req.raw, c.env);
  const verdict = jurisdictionForCountry(country);
  c.set('country', country);
  c.set('requestJurisdiction', verdict.ok ? verdict.jurisdiction : null);
  await next();
});

/** Player routes answer 451 from blocked or unlicensed countries. */
export const geoGate = createMiddleware<AppEnv>(async (c, next) => {
  const verdict = jurisdictionForCountry(c.get('country'));
  if (!verdict.ok) throw new ApiError(verdict.code, undefined, { country: c.get('country') });
  await next();
});
