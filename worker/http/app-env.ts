/** The Hono environment of this app: bindings and typed context variables set by middleware. */
import type { RequestIdVariables } from 'hono/request-id';
import type { Principal } from '../../domain/authz';
import type { Jurisdiction } from '../../domain/jurisdictions';
import type { AuditFields } from '../ops/guard';

export type PlayerAuth = { playerId: string; sessionId: string };

/** An authenticated back-office operator: who (roles and attributes, fresh from their object) and how. */
export type OperatorAuth = Principal & { session_id: string; display_name: string; via: 'bearer' | 'cookie' };

export type AppEnv = {
  Bindings: Env;
  Variables: RequestIdVariables & {
    /** ISO country of the request (Cloudflare's, or the dev override). */
    country: string;
    /** The jurisdiction the request's country falls under, when licensed. */
    requestJurisdiction: Jurisdiction | null;
    player: PlayerAuth;
    operator: OperatorAuth;
    /** The back-office action this request was allowed and has not audited yet (worker/ops/audit-refusals.ts). */
    unrecordedAction: AuditFields | null;
  };
};

export function isDevelopment(env: Env): boolean {
  return env.ENVIRONMENT === 'development';
}
