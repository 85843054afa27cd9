/**
 * What every publication from the warehouse back to the edge shares (segments: publish-segments.ts,
 * AML alerts: publish-aml.ts): signed POSTs of a batch to an internal route (domain/signed-request.ts,
 * each route with its own secret and action) retried on transient failures, and the loop's step
 * that publishes after the models only when the relation's content moved.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { signRequest } from '../domain/signed-request';
import { rows, sqlString } from './db';

export class PublishError extends Error {}

export const RELATION_RE = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether `schema.name` exists (table or view). */
export async function relationExists(con: DuckDBConnection, relation: string): Promise<boolean> {
  const [schema, name] = relation.split('.') as [string, string];
  const r = await rows(con, `select 1 from information_schema.tables where table_schema = ${sqlString(schema)} and table_name = ${sqlString(name)}`);
  return r.length > 0;
}

export type PostOptions = {
  url: string;
  secret: string;
  /** The signed action of the route ("segments", "aml-alerts"). */
  action: string;
  /** The publication's name in log lines. */
  label: string;
  /** Attempts per batch for transient failures (network, 429, 5xx). */
  attempts: number;
  retryDelayMs: number;
  fetch: typeof fetch;
  log: (line: string) => void;
};

/** One signed POST of `{ items }`, retried on network errors, 429 and 5xx; anything else is a PublishError. */
export async function postSignedBatch<A>(items: unknown[], o: PostOptions): Promise<A> {
  const body = JSON.stringify({ items });
  let last = '';
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    let res: Response | null = null;
    try {
      // signed per attempt: the timestamp must be fresh
      res = await o.fetch(o.url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(await signRequest(o.secret, o.action, body)) }, body });
    } catch (err) {
      last = `network error: ${(err as Error).message}`;
    }
    if (res) {
      const text = await res.text();
      if (res.ok) return JSON.parse(text) as A;
      last = `HTTP ${res.status}: ${text.slice(0, 300)}`;
      if (res.status !== 429 && res.status < 500) throw new PublishError(`the edge refused a batch of ${items.length}: ${last}`);
    }
    if (attempt < o.attempts) {
      o.log(`${o.label}: batch of ${items.length} failed (${last}); retry ${attempt}/${o.attempts - 1}`);
      await new Promise((r) => setTimeout(r, o.retryDelayMs * 2 ** (attempt - 1)));
    }
  }
  throw new PublishError(`a batch of ${items.length} failed ${o.attempts} times: ${last}`);
}

export type LoopStep<S extends { skipped: string | null }> = {
  label: string;
  relation: string;
  /** A cheap fingerprint of the relation: the step reads it whole only when this moves. */
  fingerprint: (con: DuckDBConnection) => Promise<string>;
  publish: (con: DuckDBConnection) => Promise<S>;
  format: (summary: S) => string;
  /** Summaries after which the same content is tried again next cycle (e.g. a refusal). */
  retry?: (summary: S) => boolean;
  log: (line: string) => void;
};

/**
 * The loop's step after the models (`wh loop`, what `npm start` runs): publish when the relation
 * exists and its content moved since the last successful publication of this process (after a
 * restart, the first cycle compares with what the publisher recorded in meta and sends only what
 * the edge has not acknowledged). A failure is logged and retried next cycle; it never stops the loop.
 */
export function publishLoop<S extends { skipped: string | null }>(step: LoopStep<S>): { cycle(con: DuckDBConnection): Promise<void> } {
  let last: string | null = null;
  let absentSaid = false;
  return {
    async cycle(con) {
      try {
        if (!(await relationExists(con, step.relation))) {
          if (!absentSaid) step.log(`${step.label}: no relation ${step.relation} yet; publishing starts when it exists`);
          absentSaid = true;
          return;
        }
        const fp = await step.fingerprint(con);
        if (fp === last) return;
        const summary = await step.publish(con);
        if (summary.skipped !== 'unchanged') step.log(step.format(summary));
        if (!step.retry?.(summary)) last = fp;
      } catch (err) {
        step.log(`${step.label}: publication failed (retried next cycle): ${(err as Error).message}`);
      }
    },
  };
}
