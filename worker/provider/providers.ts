/**
 * Which game providers may call the seamless-wallet API: those with a signing secret configured
 * (wrangler secret PROVIDER_SECRET_<PROVIDER_ID upper-cased, dashes as underscores>, e.g.
 * PROVIDER_SECRET_SANDBOX_SLOTS), except our own studio, whose live tables settle through TableDO.
 * A provider without a secret is unknown (404 provider_not_found): there is nothing to verify with.
 * Whether its games may be played is the catalog's answer, asked per bet.
 */
import { PROVIDER_ID_PATTERN } from '../../domain/provider/types';
import { dynamicSecret } from '../http/secrets';

/** Not on this API whatever the configuration: our own live tables. */
export const IN_HOUSE_PROVIDERS: readonly string[] = ['edge-studio'];
/** Shorter secrets are treated as missing (a guessable secret is no secret). */
export const PROVIDER_SECRET_MIN_LENGTH = 32;

export function providerSecretName(providerId: string): `PROVIDER_SECRET_${string}` {
  return `PROVIDER_SECRET_${providerId.toUpperCase().replaceAll('-', '_')}`;
}

export function providerSecret(env: Env, providerId: string): string | null {
  if (!PROVIDER_ID_PATTERN.test(providerId) || IN_HOUSE_PROVIDERS.includes(providerId)) return null;
  const v = dynamicSecret(env, providerSecretName(providerId));
  return v !== null && v.length >= PROVIDER_SECRET_MIN_LENGTH ? v : null;
}
