/**
 * DirectoryDO: email -> player id, sharded by the first byte of SHA-256(email) into 256 objects.
 *
 * Why sharded Durable Objects and not D1: login and registration are on the hot path of every
 * player everywhere, and uniqueness must be exact. One shard's SQLite gives an exact unique
 * constraint in a single transaction, each shard carries 1/256th of the traffic (far under an
 * object's ~1,000 req/s), it needs no extra database to provision, and it runs identically under
 * wrangler dev. What it does not give is cross-shard search (by email prefix or name): the back
 * office searches the warehouse or the audit-logged operator index for that (issue 3).
 */
import { DurableObject } from 'cloudflare:workers';
import { fail, type Result } from '../../domain/errors';
import { Db, migrate } from '../lib/sql';

/** A claim not confirmed within this time (registration crashed midway) can be taken over. */
export const CLAIM_TTL_MS = 5 * 60_000;
export const DIRECTORY_SHARDS = 256;

const MIGRATIONS = [`
  create table emails (
    email text primary key,
    player_id text not null,
    state text not null check (state in ('pending', 'confirmed')),
    claimed_at integer not null
  );
`];

/** Directory shard name for an (already normalized) email. */
export async function directoryShard(email: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(email)));
  return `dir-${digest[0]!.toString(16).padStart(2, '0')}`;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

type Row = { email: string; player_id: string; state: 'pending' | 'confirmed'; claimed_at: number };

export class DirectoryDO extends DurableObject<Env> {
  private readonly db: Db;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = new Db(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => migrate(this.db, MIGRATIONS, ctx.storage));
  }

  /** Reserves `email` for `playerId`; idempotent for the same player. */
  claim(email: string, playerId: string): Result<{ player_id: string }> {
    return this.ctx.storage.transactionSync(() => {
      const now = Date.now();
      const row = this.db.first<Row>`select * from emails where email = ${email}`;
      if (row && row.player_id !== playerId && (row.state === 'confirmed' || now - row.claimed_at < CLAIM_TTL_MS)) {
        return fail('email_taken', 'an account with this email exists');
      }
      this.db.run`insert into emails (email, player_id, state, claimed_at) values (${email}, ${playerId}, 'pending', ${now})
        on conflict (email) do update set player_id = excluded.player_id, state = 'pending', claimed_at = excluded.claimed_at
        where emails.player_id != excluded.player_id`;
      return { ok: true, player_id: playerId };
    });
  }

  confirm(email: string, playerId: string): Result {
    const n = this.db.run`update emails set state = 'confirmed' where email = ${email} and player_id = ${playerId}`;
    return n === 1 ? { ok: true } : fail('not_found');
  }

  release(email: string, playerId: string): void {
    this.db.run`delete from emails where email = ${email} and player_id = ${playerId} and state = 'pending'`;
  }

  lookup(email: string): string | null {
    return this.db.first<Row>`select * from emails where email = ${email} and state = 'confirmed'`?.player_id ?? null;
  }
}
