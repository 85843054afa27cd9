/**
 * Secrets whose names are built at run time from a provider's id: PAYMENT_WEBHOOK_SECRET_<PROVIDER>
 * and PROVIDER_SECRET_<PROVIDER_ID>. The ones of configured providers are declared in wrangler.toml
 * (`[secrets] required`, so typed on Env); a lookup by a computed name still has to go through the
 * binding table by name, and may find nothing (an unknown provider), hence `string | null`.
 */

/** The names a dynamic lookup may ask for: never another binding (a Durable Object, the queue). */
export type DynamicSecretName = `PAYMENT_WEBHOOK_SECRET_${string}` | `PROVIDER_SECRET_${string}`;

/** The secret bound under `name`, or null when there is none (or it is not a string). */
export function dynamicSecret(env: Env, name: DynamicSecretName): string | null {
  const v: unknown = Reflect.get(env, name);
  return typeof v === 'string' ? v : null;
}
