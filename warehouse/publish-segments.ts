/**
 * `npm run wh -- publish segments`: segment membership and VIP tiers flow back to the edge
 * (docs/segments.md). Reads one relation, read-only (default `marts.player_segments`; columns
 * player_id, segments as a list or comma-separated text, vip_tier), and POSTs what changed to the
 * worker's /internal/v1/segments in signed batches (SEGMENTS_PUBLISH_SECRET, domain/signed-request.ts).
 *
 * What was published is kept in meta.segments_published (one row per player: the snapshot and the
 * hash of what the edge acknowledged), so only players whose row changed since are sent, a restart
 * resends nothing already acknowledged, and a player gone from the relation is sent once with no
 * segments and no tier. meta.segments_publications records each publication. The edge is idempotent
 * per (player, snapshot) and ignores snapshots older than the one it holds, so a retried batch is
 * harmless.
 *
 * The contract with the marts that compute segments (written separately): the relation exists in the
 * prod environment's schemas, one row per player (uuid player_id), segment names and tiers are
 * lower-case identifiers ([a-z0-9][a-z0-9_.:-]{0,63}); rows that break it are counted as invalid and
 * not sent.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { canonicalSegments, SEGMENT_NAME_RE, SEGMENTS_BATCH_MAX, SEGMENTS_PER_PLAYER_MAX, SEGMENTS_SIGNED_ACTION, snapshotId, type SegmentsOutcome } from '../domain/segments';
import { rows, sqlString } from './db';
import { postSignedBatch, PublishError, publishLoop, RELATION_RE, relationExists } from './publish-edge';

export { PublishError, relationExists };

export const DEFAULT_SEGMENTS_RELATION = 'marts.player_segments';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const SEGMENTS_META_DDL = `
create schema if not exists meta;
create table if not exists meta.segments_published (
  player_id varchar primary key,
  snapshot_id varchar not null,
  row_hash varchar not null,
  outcome varchar not null,
  published_at timestamptz not null
);
create table if not exists meta.segments_publications (
  snapshot_id varchar primary key,
  relation varchar not null,
  content_hash varchar not null,
  rows integer not null,
  sent integer not null,
  changed integer not null,
  unchanged integer not null,
  unknown_player integer not null,
  invalid integer not null,
  published_at timestamptz not null
);`;

export type PublishOptions = {
  relation?: string;
  /** The route, e.g. http://127.0.0.1:8787/internal/v1/segments. */
  url: string;
  secret: string;
  dryRun?: boolean;
  batchSize?: number;
  /** Attempts per batch for transient failures (network, 429, 5xx). */
  attempts?: number;
  retryDelayMs?: number;
  now?: () => number;
  log?: (line: string) => void;
  fetch?: typeof fetch;
};

export type PublishSummary = {
  relation: string;
  /** 'missing': no such relation; 'unchanged': nothing to send; 'refused_empty': see publishSegments. */
  skipped: null | 'missing' | 'unchanged' | 'refused_empty';
  snapshot_id: string | null;
  rows: number;
  invalid: number;
  to_send: number;
  batches: number;
  sent: number;
  changed: number;
  unchanged: number;
  replayed: number;
  stale: number;
  unknown_player: number;
  dry_run: boolean;
};

type Row = { player_id: string; segments: string[]; vip_tier: string | null; row_hash: string };
type Item = { snapshot_id: string; player_id: string; segments: string[]; vip_tier: string | null };

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const rowHash = (segments: string[], vipTier: string | null) => sha256(JSON.stringify([segments, vipTier]));

/** The relation's rows, normalised: segments sorted without duplicates, invalid rows counted apart. */
async function readRelation(con: DuckDBConnection, relation: string): Promise<{ valid: Row[]; invalid: number }> {
  const [schema, name] = relation.split('.') as [string, string];
  const cols = await rows<{ column_name: string; data_type: string }>(con,
    `select column_name, data_type from information_schema.columns where table_schema = ${sqlString(schema)} and table_name = ${sqlString(name)}`);
  const type = new Map(cols.map((c) => [c.column_name, c.data_type]));
  for (const c of ['player_id', 'segments', 'vip_tier']) if (!type.has(c)) throw new PublishError(`${relation} has no column ${c} (expected player_id, segments, vip_tier)`);
  // a list is read as JSON (a name with a comma in it stays one, invalid, name); text is split on commas
  const isList = /\[\]$/.test(type.get('segments')!);
  const q = `select player_id::varchar as player_id, ${isList ? 'to_json(segments)::varchar' : 'segments::varchar'} as segments, vip_tier::varchar as vip_tier
    from "${schema}"."${name}" order by 1`;
  const raw = await rows<{ player_id: string | null; segments: string | null; vip_tier: string | null }>(con, q);
  const namesOf = (v: string | null): string[] => {
    if (v === null) return [];
    if (!isList) return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const list = JSON.parse(v) as (string | null)[];
    return list.filter((s): s is string => s !== null);
  };
  const valid: Row[] = [];
  let invalid = 0;
  const seen = new Set<string>();
  for (const r of raw) {
    const id = (r.player_id ?? '').trim().toLowerCase();
    const segments = canonicalSegments(namesOf(r.segments));
    const tier = r.vip_tier === null || r.vip_tier.trim() === '' ? null : r.vip_tier.trim();
    const ok = UUID_RE.test(id) && !seen.has(id) && segments.length <= SEGMENTS_PER_PLAYER_MAX
      && segments.every((s) => SEGMENT_NAME_RE.test(s)) && (tier === null || SEGMENT_NAME_RE.test(tier));
    if (!ok) {
      invalid++;
      continue;
    }
    seen.add(id);
    valid.push({ player_id: id, segments, vip_tier: tier, row_hash: rowHash(segments, tier) });
  }
  return { valid, invalid };
}

/**
 * Publishes what changed in the relation since the last publication. `con` must be writable (the
 * meta tables); the relation itself is only read. Refuses (skipped: 'refused_empty') to clear every
 * player when the relation is suddenly empty while players were published before: an empty mart is
 * far more often a broken build than a casino without segments (clear them with a row per player).
 */
export async function publishSegments(con: DuckDBConnection, opts: PublishOptions): Promise<PublishSummary> {
  const relation = opts.relation ?? DEFAULT_SEGMENTS_RELATION;
  if (!RELATION_RE.test(relation)) throw new PublishError(`relation must be schema.name, not '${relation}'`);
  const batchSize = opts.batchSize ?? SEGMENTS_BATCH_MAX;
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= SEGMENTS_BATCH_MAX)) throw new PublishError(`batch size must be 1..${SEGMENTS_BATCH_MAX}`);
  const log = opts.log ?? (() => {});
  const now = opts.now ?? Date.now;
  const summary: PublishSummary = {
    relation, skipped: null, snapshot_id: null, rows: 0, invalid: 0, to_send: 0, batches: 0, sent: 0,
    changed: 0, unchanged: 0, replayed: 0, stale: 0, unknown_player: 0, dry_run: Boolean(opts.dryRun),
  };
  if (!(await relationExists(con, relation))) return { ...summary, skipped: 'missing' };
  if (!opts.dryRun) await con.run(SEGMENTS_META_DDL);

  const { valid, invalid } = await readRelation(con, relation);
  summary.rows = valid.length + invalid;
  summary.invalid = invalid;
  const published = (await metaExists(con))
    ? await rows<{ player_id: string; row_hash: string; snapshot_id: string }>(con, 'select player_id, row_hash, snapshot_id from meta.segments_published')
    : [];
  const before = new Map(published.map((p) => [p.player_id, p]));
  const current = new Set(valid.map((r) => r.player_id));
  const empty = rowHash([], null);
  const toSend: Row[] = valid.filter((r) => before.get(r.player_id)?.row_hash !== r.row_hash);
  // gone from the relation: no segments, no tier (once; then their meta row says so)
  for (const p of published) if (!current.has(p.player_id) && p.row_hash !== empty) toSend.push({ player_id: p.player_id, segments: [], vip_tier: null, row_hash: empty });
  summary.to_send = toSend.length;
  if (toSend.length === 0) return { ...summary, skipped: 'unchanged' };
  if (valid.length === 0 && invalid === 0 && published.some((p) => p.row_hash !== empty)) {
    log(`segments: ${relation} is empty although ${published.length} player(s) have segments: not clearing them all (a broken build?)`);
    return { ...summary, skipped: 'refused_empty' };
  }

  // The snapshot: when it was taken and what the whole relation held; ids must grow (the edge ignores older ones).
  const contentHash = sha256(valid.map((r) => `${r.player_id}:${r.row_hash}`).join('\n'));
  const lastId = published.reduce((m, p) => (p.snapshot_id > m ? p.snapshot_id : m), '');
  const id = snapshotId(Math.max(now(), lastId ? Date.parse(isoOf(lastId)) + 1 : 0), contentHash);
  summary.snapshot_id = id;
  if (opts.dryRun) return summary;

  const post = { url: opts.url, secret: opts.secret, action: SEGMENTS_SIGNED_ACTION, label: 'segments', attempts: opts.attempts ?? 4, retryDelayMs: opts.retryDelayMs ?? 500, fetch: opts.fetch ?? fetch, log };
  if (!post.url) throw new PublishError('no URL to publish to: set SEGMENTS_PUBLISH_URL or pass --base-url');
  if (!post.secret) throw new PublishError('SEGMENTS_PUBLISH_SECRET is not set');
  for (let i = 0; i < toSend.length; i += batchSize) {
    const batch = toSend.slice(i, i + batchSize);
    const answer = await postSignedBatch<{ results: { player_id: string; snapshot_id: string; outcome: SegmentsOutcome }[] }>(
      batch.map((r) => ({ snapshot_id: id, player_id: r.player_id, segments: r.segments, vip_tier: r.vip_tier })), post);
    const hashOf = new Map(batch.map((r) => [r.player_id, r.row_hash]));
    const at = new Date(now()).toISOString();
    // what the edge acknowledged, batch by batch: a crash later resends only the rest
    const values = answer.results.map((r) => `(${sqlString(r.player_id)}, ${sqlString(id)}, ${sqlString(hashOf.get(r.player_id) ?? '')}, ${sqlString(r.outcome)}, ${sqlString(at)}::timestamptz)`);
    if (values.length) {
      await con.run(`insert or replace into meta.segments_published (player_id, snapshot_id, row_hash, outcome, published_at) values ${values.join(', ')}`);
    }
    summary.batches++;
    summary.sent += batch.length;
    for (const r of answer.results) summary[r.outcome]++;
  }
  await con.run(`insert or replace into meta.segments_publications values (${sqlString(id)}, ${sqlString(relation)}, ${sqlString(contentHash)}, ${summary.rows}, ${summary.sent},
    ${summary.changed}, ${summary.unchanged}, ${summary.unknown_player}, ${summary.invalid}, ${sqlString(new Date(now()).toISOString())}::timestamptz)`);
  return summary;
}

async function metaExists(con: DuckDBConnection): Promise<boolean> {
  return relationExists(con, 'meta.segments_published');
}

/** 20261202T081500.123Z-… -> 2026-12-02T08:15:00.123Z */
function isoOf(snapshot: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z/.exec(snapshot);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z` : '1970-01-01T00:00:00.000Z';
}

export function formatPublish(s: PublishSummary): string {
  if (s.skipped === 'missing') return `segments: no relation ${s.relation} yet; nothing published`;
  if (s.skipped === 'unchanged') return `segments: ${s.relation} unchanged since the last publication (${s.rows} rows${s.invalid ? `, ${s.invalid} invalid` : ''})`;
  if (s.skipped === 'refused_empty') return `segments: ${s.relation} is empty; refused to clear every player`;
  const head = `segments ${s.snapshot_id} from ${s.relation}: ${s.rows} rows${s.invalid ? ` (${s.invalid} invalid, not sent)` : ''}, ${s.to_send} to send`;
  if (s.dry_run) return `${head} (dry run: nothing sent)`;
  return `${head}; sent ${s.sent} in ${s.batches} batch(es): ${s.changed} changed, ${s.unchanged} unchanged, ${s.replayed} replayed, ${s.stale} stale, ${s.unknown_player} unknown players`;
}

/** A cheap fingerprint of the relation (rows and an xor of row hashes): the loop reads it whole only when this moves. */
async function fingerprint(con: DuckDBConnection, relation: string): Promise<string> {
  const [schema, name] = relation.split('.') as [string, string];
  const r = await rows<{ n: number; h: string | null }>(con,
    `select count(*) as n, bit_xor(hash(player_id::varchar, segments::varchar, vip_tier::varchar))::varchar as h from "${schema}"."${name}"`);
  return `${r[0]?.n ?? 0}:${r[0]?.h ?? ''}`;
}

/** The loop's step after the models (publish-edge.ts publishLoop): a refused empty relation is tried again next cycle. */
export function segmentsLoop(opts: PublishOptions & { log: (line: string) => void }): { cycle(con: DuckDBConnection): Promise<void> } {
  const relation = opts.relation ?? DEFAULT_SEGMENTS_RELATION;
  return publishLoop({
    label: 'segments', relation, log: opts.log, format: formatPublish,
    fingerprint: (con) => fingerprint(con, relation),
    publish: (con) => publishSegments(con, opts),
    retry: (summary) => summary.skipped === 'refused_empty',
  });
}

/** SEGMENTS_PUBLISH_URL, or <base>/internal/v1/segments for --base-url. */
export function publishUrl(baseUrl: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (baseUrl) return `${baseUrl.replace(/\/+$/, '')}/internal/v1/segments`;
  return env.SEGMENTS_PUBLISH_URL ?? '';
}
