/**
 * How models map to DuckDB objects. Physical tables are named by the model and its version and
 * live in one schema; an environment is a set of schemas of views over them: prod uses the model's
 * own schema (`marts.fct_ggr_daily`), a dev environment suffixes it (`marts__dev.fct_ggr_daily`).
 * Externals (raw.events) are never wrapped: every environment reads the same table.
 */

export const PROD = 'prod';
export const PHYSICAL_SCHEMA = 'wh_physical';

const ENV_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** Throws unless `env` is a usable environment name (lower case, digits, underscores). */
export function checkEnvName(env: string): string {
  if (!ENV_NAME.test(env) || env.includes('__')) {
    throw new Error(`environment name '${env}' must be lower case letters, digits and single underscores, starting with a letter (at most 40)`);
  }
  return env;
}

export function splitName(model: string): { schema: string; table: string } {
  const i = model.indexOf('.');
  return { schema: model.slice(0, i), table: model.slice(i + 1) };
}

/** The schema that holds `schema`'s views in `env`: `marts` in prod, `marts__dev` in dev. */
export function envSchema(schema: string, env: string): string {
  return env === PROD ? schema : `${schema}__${env}`;
}

/** `"marts__dev"."fct_ggr_daily"`: the view of `model` in `env`. */
export function envRelation(model: string, env: string): string {
  const { schema, table } = splitName(model);
  return `${quoteIdent(envSchema(schema, env))}.${quoteIdent(table)}`;
}

/** The physical table name (unquoted, in PHYSICAL_SCHEMA) of a model at a version. */
export function physicalName(model: string, version: string): string {
  const { schema, table } = splitName(model);
  return `${schema}__${table}__${version}`;
}

export function physicalRelation(model: string, version: string): string {
  return `${quoteIdent(PHYSICAL_SCHEMA)}.${quoteIdent(physicalName(model, version))}`;
}

/**
 * The schema a model query names a user SQL macro by (`macros.minor_to_eur(...)`). The warehouse
 * holds each macro version as `wh_physical.macro__<name>__<version>` instead, and the engine
 * rewrites the calls: a macro edited in a dev plan must not change what prod's views compute.
 */
export const MACRO_SCHEMA = 'macros';

/** The physical macro name (unquoted, in PHYSICAL_SCHEMA) of a macro at a version. */
export function physicalMacroName(macro: string, version: string): string {
  return `macro__${macro}__${version}`;
}

export function physicalMacroRelation(macro: string, version: string): string {
  return `${quoteIdent(PHYSICAL_SCHEMA)}.${quoteIdent(physicalMacroName(macro, version))}`;
}

export const quoteIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;
