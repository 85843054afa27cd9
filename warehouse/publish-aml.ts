/**
 * `npm run wh -- publish aml-alerts`: the warehouse's AML alerts go to the edge, where each brand's
 * ops object raises them (rule `aml.<rule>`) for operators to decide (docs/aml.md). Reads
 * marts.aml_alerts (read-only) with each player's brand from staging.stg_players, and POSTs the
 * alerts the edge has not acknowledged to /internal/v1/aml-alerts in signed batches
 * (AML_PUBLISH_SECRET, domain/signed-request.ts; the shared mechanism is publish-edge.ts).
 *
 * Alerts are immutable once raised at the edge (the operator decides on what they saw), so the unit
 * is the alert_id, not its content: meta.aml_alerts_published keeps one row per acknowledged alert
 * (raised or duplicate) and those are never sent again. The edge is idempotent per alert_id anyway,
 * so a retried batch, or a publication after the meta table was lost, changes nothing there.
 * `unknown_player` answers are not recorded: the next publication tries them again.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { AML_RULES } from '../domain/aml';
import { AML_BATCH_MAX, AML_SIGNED_ACTION, type AmlAlertItem, type AmlAlertResult, type AmlRaiseOutcome } from '../domain/aml-publish';
import { rows, sqlString } from './db';
import { postSignedBatch, PublishError, publishLoop, relationExists } from './publish-edge';

export const AML_RELATION = 'marts.aml_alerts';

export const AML_META_DDL = `
create schema if not exists meta;
create table if not exists meta.aml_alerts_published (
  alert_id varchar primary key,
  brand varchar not null,
  outcome varchar not null,
  published_at timestamptz not null
);`;

export type AmlPublishOptions = {
  /** The route, e.g. http://127.0.0.1:8787/internal/v1/aml-alerts. */
  url: string;
  secret: string;
  dryRun?: boolean;
  batchSize?: number;
  attempts?: number;
  retryDelayMs?: number;
  now?: () => number;
  log?: (line: string) => void;
  fetch?: typeof fetch;
};

export type AmlPublishSummary = {
  relation: string;
  /** 'missing': no marts.aml_alerts yet; 'unchanged': every alert was acknowledged before. */
  skipped: null | 'missing' | 'unchanged';
  rows: number;
  /** Alerts that cannot be sent: no brand for the player (no registration in the warehouse), or a malformed row. */
  invalid: number;
  to_send: number;
  batches: number;
  sent: number;
  raised: number;
  duplicate: number;
  unknown_player: number;
  dry_run: boolean;
};

type Row = {
  alert_id: string; player_id: string; brand: string | null; rule: string; severity: string; jurisdiction: string | null;
  currency: string | null; window_start_ms: number; window_end_ms: number; summary: string;
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALERT_ID_RE = /^[0-9a-f]{32}$/;

/** The alerts not yet acknowledged, with their brand; `published` false when meta does not exist yet. */
async function pending(con: DuckDBConnection, published: boolean): Promise<{ total: number; rows: Row[] }> {
  const total = (await rows<{ n: number }>(con, `select count(*)::integer as n from ${AML_RELATION}`))[0]!.n;
  const list = await rows<Row>(con, `
    with registered as (
      select player_id, any_value(brand) as brand from staging.stg_players where change = 'registered' group by player_id
    )
    select a.alert_id, a.player_id::varchar as player_id, r.brand, a.rule, a.severity, a.jurisdiction, a.currency,
      epoch_ms(a.window_start)::bigint as window_start_ms, epoch_ms(a.window_end)::bigint as window_end_ms, a.summary
    from ${AML_RELATION} as a
    left join registered as r on r.player_id = a.player_id
    ${published ? 'where a.alert_id not in (select alert_id from meta.aml_alerts_published)' : ''}
    order by a.window_end, a.alert_id`);
  return { total, rows: list };
}

function toItem(r: Row): AmlAlertItem | null {
  const player = r.player_id.trim().toLowerCase();
  if (!ALERT_ID_RE.test(r.alert_id) || !UUID_RE.test(player) || !r.brand) return null;
  if (!(AML_RULES as readonly string[]).includes(r.rule) || !['low', 'medium', 'high'].includes(r.severity)) return null;
  return {
    alert_id: r.alert_id, player_id: player, brand: r.brand, rule: r.rule as AmlAlertItem['rule'], severity: r.severity as AmlAlertItem['severity'],
    jurisdiction: r.jurisdiction, currency: r.currency,
    window_start: Number(r.window_start_ms), window_end: Number(r.window_end_ms), summary: r.summary.slice(0, 1000),
  };
}

/** Publishes the alerts the edge has not acknowledged. `con` must be writable (meta) unless dryRun. */
export async function publishAmlAlerts(con: DuckDBConnection, opts: AmlPublishOptions): Promise<AmlPublishSummary> {
  const batchSize = opts.batchSize ?? AML_BATCH_MAX;
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= AML_BATCH_MAX)) throw new PublishError(`batch size must be 1..${AML_BATCH_MAX}`);
  const log = opts.log ?? (() => {});
  const now = opts.now ?? Date.now;
  const summary: AmlPublishSummary = {
    relation: AML_RELATION, skipped: null, rows: 0, invalid: 0, to_send: 0, batches: 0, sent: 0, raised: 0, duplicate: 0, unknown_player: 0, dry_run: Boolean(opts.dryRun),
  };
  if (!(await relationExists(con, AML_RELATION))) return { ...summary, skipped: 'missing' };
  if (!opts.dryRun) await con.run(AML_META_DDL);
  const { total, rows: list } = await pending(con, await relationExists(con, 'meta.aml_alerts_published'));
  summary.rows = total;
  const items: AmlAlertItem[] = [];
  for (const r of list) {
    const item = toItem(r);
    if (item) items.push(item);
    else summary.invalid++;
  }
  summary.to_send = items.length;
  if (items.length === 0) return { ...summary, skipped: 'unchanged' };
  if (opts.dryRun) return summary;

  if (!opts.url) throw new PublishError('no URL to publish to: set AML_PUBLISH_URL or pass --base-url');
  if (!opts.secret) throw new PublishError('AML_PUBLISH_SECRET is not set');
  const post = { url: opts.url, secret: opts.secret, action: AML_SIGNED_ACTION, label: 'aml-alerts', attempts: opts.attempts ?? 4, retryDelayMs: opts.retryDelayMs ?? 500, fetch: opts.fetch ?? fetch, log };
  for (let i = 0; i < items.length; i += batchSize) {
    const batch = items.slice(i, i + batchSize);
    const answer = await postSignedBatch<{ results: AmlAlertResult[] }>(batch, post);
    const brandOf = new Map(batch.map((b) => [b.alert_id, b.brand]));
    const at = new Date(now()).toISOString();
    // what the edge acknowledged, batch by batch: a crash later resends only the rest
    const values = answer.results.filter((r) => r.outcome !== 'unknown_player')
      .map((r) => `(${sqlString(r.alert_id)}, ${sqlString(brandOf.get(r.alert_id) ?? '')}, ${sqlString(r.outcome)}, ${sqlString(at)}::timestamptz)`);
    if (values.length) await con.run(`insert or replace into meta.aml_alerts_published (alert_id, brand, outcome, published_at) values ${values.join(', ')}`);
    summary.batches++;
    summary.sent += batch.length;
    for (const r of answer.results) summary[r.outcome as AmlRaiseOutcome]++;
  }
  return summary;
}

export function formatAmlPublish(s: AmlPublishSummary): string {
  if (s.skipped === 'missing') return `aml-alerts: no relation ${s.relation} yet; nothing published`;
  const bad = s.invalid ? `, ${s.invalid} without a brand or malformed (not sent)` : '';
  if (s.skipped === 'unchanged') return `aml-alerts: every alert of ${s.relation} was acknowledged before (${s.rows} rows${bad})`;
  const head = `aml-alerts from ${s.relation}: ${s.rows} rows${bad}, ${s.to_send} to send`;
  if (s.dry_run) return `${head} (dry run: nothing sent)`;
  return `${head}; sent ${s.sent} in ${s.batches} batch(es): ${s.raised} raised, ${s.duplicate} duplicate, ${s.unknown_player} unknown players`;
}

/** The loop's step after the models (publish-edge.ts): only when the set of alert ids moved. */
export function amlAlertsLoop(opts: AmlPublishOptions & { log: (line: string) => void }): { cycle(con: DuckDBConnection): Promise<void> } {
  return publishLoop({
    label: 'aml-alerts', relation: AML_RELATION, log: opts.log, format: formatAmlPublish,
    fingerprint: async (con) => {
      const r = await rows<{ n: number; h: string | null }>(con, `select count(*) as n, bit_xor(hash(alert_id))::varchar as h from ${AML_RELATION}`);
      return `${r[0]?.n ?? 0}:${r[0]?.h ?? ''}`;
    },
    publish: (con) => publishAmlAlerts(con, opts),
  });
}

/** AML_PUBLISH_URL, or <base>/internal/v1/aml-alerts for --base-url. */
export function amlPublishUrl(baseUrl: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (baseUrl) return `${baseUrl.replace(/\/+$/, '')}/internal/v1/aml-alerts`;
  return env.AML_PUBLISH_URL ?? '';
}
