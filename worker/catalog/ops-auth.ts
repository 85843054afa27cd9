/**
 * requireOperator, once: the catalog's routes live under /catalog and under /brands/{brand}/games,
 * and the brand views already authenticate `/brands/*` for the whole back-office app (sub-apps are
 * mounted at '/'), so a second run would only repeat the operator's RPC.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../http/app-env';
import { requireOperator } from '../ops/guard';

export const ensureOperator = createMiddleware<AppEnv>(async (c, next) => {
  if (c.get('operator')) return next();
  return requireOperator(c, next);
});
