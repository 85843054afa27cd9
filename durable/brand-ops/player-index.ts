/**
 * The brand's player index: the newest snapshot of each player (by the player's own updated_at, so
 * relayed batches may arrive in any order), for operator search, exports and the KYC queue. Email
 * is matched on a lower-cased copy; search is keyset-paginated, newest players first.
 */
import type { OpsContext } from './context';
import { clampLimit, decodeCursor, page, QUEUE_LIMIT_MAX, scopeParams } from './paging';
import type { KycQueueItem, PlayerPage, PlayerSearch, PlayerSnapshot, QueueQuery, Scope } from './types';

export const EXPORT_ROWS_MAX = 10_000;
const QUERY_CHARS_MAX = 254;

type PlayerRow = Omit<PlayerSnapshot, 'brand' | 'vip'> & { vip: number; kyc_since: number | null };

export class PlayerIndex {
  constructor(private readonly ctx: OpsContext) {}

  private get db() {
    return this.ctx.db;
  }

  /** Stores the snapshot unless a newer one (by updated_at) is already stored. */
  upsert(s: PlayerSnapshot): void {
    this.db.run`insert into players (player_id, email, email_lc, country, jurisdiction, currency, status, kyc_status, vip,
        created_at, updated_at, kyc_seen_pending_at)
      values (${s.player_id}, ${s.email}, ${s.email.toLowerCase()}, ${s.country}, ${s.jurisdiction}, ${s.currency}, ${s.status},
        ${s.kyc_status}, ${s.vip ? 1 : 0}, ${s.created_at}, ${s.updated_at}, ${s.kyc_status === 'pending' ? s.updated_at : null})
      on conflict (player_id) do update set
        email = excluded.email, email_lc = excluded.email_lc, country = excluded.country, jurisdiction = excluded.jurisdiction,
        currency = excluded.currency, status = excluded.status, kyc_status = excluded.kyc_status, vip = excluded.vip,
        created_at = excluded.created_at, updated_at = excluded.updated_at,
        kyc_seen_pending_at = case when excluded.kyc_status <> 'pending' then null
          when players.kyc_status = 'pending' then players.kyc_seen_pending_at else excluded.updated_at end
      where excluded.updated_at >= players.updated_at`;
    this.refreshKycSince(s.player_id);
  }

  /** Remembers the latest KYC change by event time (ties: the decided status wins over 'pending'). */
  noteKycChange(playerId: string, at: number, to: string): void {
    this.db.run`update players set kyc_event_at = ${at}, kyc_event_to = ${to}
      where player_id = ${playerId}
        and (kyc_event_at is null or kyc_event_at < ${at} or (kyc_event_at = ${at} and kyc_event_to < ${to}))`;
    this.refreshKycSince(playerId);
  }

  /** Pending since the latest change to 'pending' if that is the latest change we know, else since first seen pending. */
  private refreshKycSince(playerId: string): void {
    this.db.run`update players set kyc_since = case
        when kyc_status <> 'pending' then null
        when kyc_event_to = 'pending' then kyc_event_at
        else coalesce(kyc_seen_pending_at, updated_at) end
      where player_id = ${playerId}`;
  }

  get(playerId: string): PlayerSnapshot | null {
    const row = this.db.first<PlayerRow>`select * from players where player_id = ${playerId}`;
    return row ? toSnapshot(row, this.ctx.brand()!) : null;
  }

  search(opts: PlayerSearch): PlayerPage {
    const limit = clampLimit(opts.limit);
    const { sort: cs, id: ci } = decodeCursor(opts.after) ?? { sort: null, id: null };
    const s = scopeParams(opts);
    const q = opts.q?.trim().slice(0, QUERY_CHARS_MAX) || null;
    const qLower = q?.toLowerCase() ?? null;
    const status = opts.status ?? null;
    const kyc = opts.kyc_status ?? null;
    const jurisdiction = opts.jurisdiction ?? null;
    const rows = this.db.all<PlayerRow>`select * from players
      where (${q} is null or player_id = ${q} or instr(email_lc, ${qLower}) > 0)
        and (${status} is null or status = ${status})
        and (${kyc} is null or kyc_status = ${kyc})
        and (${jurisdiction} is null or jurisdiction = ${jurisdiction})
        and (${s.all} = 1 or jurisdiction in (select value from json_each(${s.list})))
        and (${s.vip} is null or vip = ${s.vip})
        and (${cs} is null or created_at < ${cs} or (created_at = ${cs} and player_id < ${ci}))
      order by created_at desc, player_id desc
      limit ${limit + 1}`;
    const brand = this.ctx.brand()!;
    const p = page(rows, limit, (r) => toSnapshot(r, brand), (r) => ({ sort: r.created_at, id: r.player_id }));
    return { players: p.items, next: p.next };
  }

  /** The brand's players in registration order, at most EXPORT_ROWS_MAX. */
  export(scope: Scope): PlayerSnapshot[] {
    const s = scopeParams(scope);
    const rows = this.db.all<PlayerRow>`select * from players
      where (${s.all} = 1 or jurisdiction in (select value from json_each(${s.list})))
        and (${s.vip} is null or vip = ${s.vip})
      order by created_at, player_id
      limit ${EXPORT_ROWS_MAX}`;
    const brand = this.ctx.brand()!;
    return rows.map((r) => toSnapshot(r, brand));
  }

  /** Players whose KYC is pending, longest waiting first. */
  kycQueue(opts: QueueQuery): KycQueueItem[] {
    const s = scopeParams(opts);
    const rows = this.db.all<PlayerRow>`select * from players
      where kyc_status = 'pending'
        and (${s.all} = 1 or jurisdiction in (select value from json_each(${s.list})))
        and (${s.vip} is null or vip = ${s.vip})
      order by kyc_since, player_id
      limit ${clampLimit(opts.limit, QUEUE_LIMIT_MAX)}`;
    const brand = this.ctx.brand()!;
    return rows.map((r) => ({ ...toSnapshot(r, brand), pending_since: r.kyc_since! }));
  }

}

function toSnapshot(r: PlayerRow, brand: string): PlayerSnapshot {
  return {
    player_id: r.player_id,
    brand,
    email: r.email,
    country: r.country,
    jurisdiction: r.jurisdiction,
    currency: r.currency,
    status: r.status,
    kyc_status: r.kyc_status,
    vip: r.vip === 1,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}
