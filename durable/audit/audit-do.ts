/**
 * AuditDO: the tamper-evident audit log of one brand and UTC day (`auditShardName`), recording
 * every operator action and sensitive read. Per brand and day so no single object takes every
 * write and each day's chain is closed.
 *
 * Entries are append-only (SQLite triggers) and hash-chained (chain.ts). An append is one
 * synchronous transaction: read the head, hash, insert, emit `audit.entry.appended` to the
 * outbox. With no await inside, concurrent appends are serialised and can never fork the chain;
 * the outbox events, once shipped to the warehouse, are an independent copy of every hash that
 * `verify` can take as its anchor.
 */
import { DurableObject } from 'cloudflare:workers';
import { ObjectContext } from '../lib/object-context';
import type { Outbox, OutboxRow } from '../lib/outbox';
import { OUTBOX_RETENTION_MS, OutboxShipper, objectShipper } from '../lib/shipper';
import { type Db, migrate } from '../lib/sql';
import { entryHash, genesisHash, verifyChain } from './chain';
import { AUDIT_MIGRATIONS, toEntry, toRow } from './schema';
import type {
  AuditAnchor, AuditAppended, AuditEntryInput, AuditListOptions, AuditPage, AuditRow, AuditStats, AuditVerification,
} from './types';

const LIST_LIMIT_MAX = 500;
const OUTBOX_LIMIT_MAX = 1000;
const ALARM_BATCH_MAX = 100;
const SHARD_NAME = /^audit:[^\s]{1,64}:\d{4}-\d{2}-\d{2}$/;

type Head = { seq: number; hash: string };

export class AuditDO extends DurableObject<Env> {
  private readonly c: ObjectContext;
  private readonly db: Db;
  private readonly events: Outbox;
  private readonly shipper: OutboxShipper;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.c = new ObjectContext(ctx.storage);
    this.db = this.c.db;
    this.events = this.c.outbox;
    // The entries are the record; the outbox is only their way to the warehouse: shipped rows go after the retention.
    this.shipper = objectShipper(this.c, ctx, env.EVENTS, 'audit', OUTBOX_RETENTION_MS);
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.db, AUDIT_MIGRATIONS, ctx.storage);
      this.shipper.init();
      this.c.schedules.rearm();
    });
  }

  /** Through ObjectContext.tx: a rolled-back transaction's alarm write is forgotten by the schedules too. */
  private tx<T>(fn: () => T): T {
    return this.c.tx(fn);
  }

  append(shard: string, entry: AuditEntryInput): AuditAppended {
    return this.tx(() => {
      this.claim(shard);
      const head = this.head();
      const at = Date.now();
      const r = toRow(entry, (head?.seq ?? 0) + 1, at);
      const prevHash = head?.hash ?? genesisHash(shard);
      const hash = entryHash(prevHash, r);
      this.db.run`insert into entries (seq, at, actor_id, actor_email, actor_roles, action, target_type, target_id, brand,
          jurisdiction, outcome, reason, before, after, ip, request_id, prev_hash, hash)
        values (${r.seq}, ${r.at}, ${r.actor_id}, ${r.actor_email}, ${r.actor_roles}, ${r.action}, ${r.target_type}, ${r.target_id}, ${r.brand},
          ${r.jurisdiction}, ${r.outcome}, ${r.reason}, ${r.before}, ${r.after}, ${r.ip}, ${r.request_id}, ${prevHash}, ${hash})`;
      this.events.emit('audit.entry.appended', {
        shard, seq: r.seq, action: r.action, outcome: r.outcome, actor_id: r.actor_id,
        target_type: r.target_type, target_id: r.target_id, hash,
      }, { player_id: r.target_type === 'player' ? r.target_id : null, jurisdiction: r.jurisdiction }, at);
      return { ok: true as const, seq: r.seq, hash, at };
    });
  }

  list(shard: string, opts: AuditListOptions = {}): AuditPage {
    this.expect(shard);
    const limit = Math.max(1, Math.min(Math.trunc(opts.limit ?? 100), LIST_LIMIT_MAX));
    const after = opts.afterSeq ?? 0;
    const action = opts.action ?? null;
    const actorId = opts.actor_id ?? null;
    const targetId = opts.target_id ?? null;
    // One day of one brand is small enough to filter while scanning by seq; no index taxes every append.
    const rows = this.db.all<AuditRow>`select * from entries where seq > ${after}
      and (${action} is null or action = ${action})
      and (${actorId} is null or actor_id = ${actorId})
      and (${targetId} is null or target_id = ${targetId})
      order by seq limit ${limit}`;
    return { entries: rows.map(toEntry), next_after_seq: rows.length === limit ? rows[rows.length - 1]!.seq : null };
  }

  /** Recomputes the whole chain; `anchor` is a head known from elsewhere (see chain.ts for what that adds). */
  verify(shard: string, anchor?: AuditAnchor): AuditVerification {
    this.expect(shard);
    // A raw cursor, streamed: a busy day need not fit in memory as db.all would need.
    const rows = this.ctx.storage.sql.exec<AuditRow>('select * from entries order by seq');
    return verifyChain(shard, rows, anchor ?? null);
  }

  outbox(afterSeq = 0, limit = 100): OutboxRow[] {
    return this.events.list(afterSeq, Math.min(limit, OUTBOX_LIMIT_MAX));
  }

  stats(): AuditStats {
    const n = this.db.first<{ n: number }>`select count(*) as n from entries`!.n;
    const head = this.head();
    return { shard: this.storedShard(), entries: n, head_seq: head?.seq ?? 0, head_hash: head?.hash ?? '' };
  }

  // ---- alarm: only the outbox shipper's jobs -------------------------------------------------

  override async alarm(): Promise<void> {
    await this.shipper.alarmOnly(ALARM_BATCH_MAX);
  }

  private head(): Head | null {
    return this.db.first<Head>`select seq, hash from entries order by seq desc limit 1`;
  }

  private storedShard(): string | null {
    return this.db.first<{ value: string }>`select value from meta where key = 'shard'`?.value ?? null;
  }

  /** The first append names the object; every later call must use the same name. */
  private claim(shard: string): void {
    if (!SHARD_NAME.test(shard)) throw new Error(`invariant: ${JSON.stringify(shard)} is not an audit shard name`);
    if (this.storedShard() === null) this.db.run`insert into meta (key, value) values ('shard', ${shard})`;
    this.expect(shard);
  }

  private expect(shard: string): void {
    const stored = this.storedShard();
    if (stored !== null && stored !== shard) throw new Error(`invariant: this audit object is ${stored}, not ${shard}`);
  }
}
