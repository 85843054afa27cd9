/**
 * StaffDO: the staff directory, one object for the whole platform. It maps operator emails and
 * SSO subjects to operator ids (the unique constraints) and lists operators for admins. It is
 * small and cold (hundreds of operators, touched at login and by admins), so one object is
 * enough; the hot path, authenticating each request, goes to the operator's own object.
 */
import { DurableObject } from 'cloudflare:workers';
import { fail, type Result } from '../../domain/errors';
import { Db, migrate } from '../lib/sql';
import type { OperatorView } from './operator-do';

const STAFF_MIGRATIONS = [`
  create table staff (
    operator_id text primary key,
    email text not null unique,
    sso_key text unique,
    display_name text not null,
    roles text not null,
    brands text not null,
    status text not null,
    updated_at integer not null
  );
`];

export type StaffEntry = { operator_id: string; email: string; display_name: string; roles: string[]; brands: string[]; status: string; sso: boolean };

const LIST_MAX = 1000;
/** Ids per display-name lookup (a timeline page holds at most 500 events). */
export const NAMES_MAX = 500;

export class StaffDO extends DurableObject<Env> {
  private readonly db: Db;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = new Db(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => migrate(this.db, STAFF_MIGRATIONS, ctx.storage));
  }

  /** Reserves the email (and SSO subject) for a new operator id; the same claim again is a no-op. */
  claim(input: { operator_id: string; email: string; sso_key: string | null; display_name: string }): Result<{ operator_id: string }> {
    return this.ctx.storage.transactionSync(() => {
      const existing = this.db.first<{ operator_id: string }>`select operator_id from staff where email = ${input.email}
        or (${input.sso_key} is not null and sso_key = ${input.sso_key})`;
      if (existing) return existing.operator_id === input.operator_id ? { ok: true, operator_id: existing.operator_id } : fail('operator_exists');
      this.db.run`insert into staff (operator_id, email, sso_key, display_name, roles, brands, status, updated_at)
        values (${input.operator_id}, ${input.email}, ${input.sso_key}, ${input.display_name}, '[]', '[]', 'pending', ${Date.now()})`;
      return { ok: true, operator_id: input.operator_id };
    });
  }

  /**
   * Claims the email for the very first operator (the bootstrap admin): the emptiness check and
   * the claim are one transaction, so of concurrent bootstraps exactly one gets through.
   */
  claimFirst(input: { operator_id: string; email: string; display_name: string }): Result<{ operator_id: string }> {
    return this.ctx.storage.transactionSync(() => {
      if (this.db.first<{ operator_id: string }>`select operator_id from staff limit 1`) return fail('invalid_state', 'operators exist already; ask an admin');
      this.db.run`insert into staff (operator_id, email, sso_key, display_name, roles, brands, status, updated_at)
        values (${input.operator_id}, ${input.email}, null, ${input.display_name}, '[]', '[]', 'pending', ${Date.now()})`;
      return { ok: true, operator_id: input.operator_id };
    });
  }

  /** Keeps the list's copy of roles, brands and status in step with the operator's object. */
  sync(op: OperatorView): void {
    this.db.run`update staff set display_name = ${op.display_name}, roles = ${JSON.stringify(op.roles)}, brands = ${JSON.stringify(op.brands)},
      status = ${op.status}, updated_at = ${Date.now()} where operator_id = ${op.operator_id}`;
  }

  byEmail(email: string): string | null {
    return this.db.first<{ operator_id: string }>`select operator_id from staff where email = ${email}`?.operator_id ?? null;
  }

  bySsoKey(ssoKey: string): string | null {
    return this.db.first<{ operator_id: string }>`select operator_id from staff where sso_key = ${ssoKey}`?.operator_id ?? null;
  }

  count(): number {
    return this.db.first<{ n: number }>`select count(*) as n from staff`!.n;
  }

  /** Display names by operator id, for views that say who acted; unknown ids are left out. */
  displayNames(operatorIds: string[]): { operator_id: string; display_name: string }[] {
    const ids = JSON.stringify([...new Set(operatorIds)].slice(0, NAMES_MAX));
    return this.db.all<{ operator_id: string; display_name: string }>`
      select operator_id, display_name from staff where operator_id in (select value from json_each(${ids}))`;
  }

  list(): StaffEntry[] {
    return this.db.all<{ operator_id: string; email: string; display_name: string; roles: string; brands: string; status: string; sso_key: string | null }>`
      select * from staff order by email limit ${LIST_MAX}`
      .map((r) => ({ operator_id: r.operator_id, email: r.email, display_name: r.display_name, roles: JSON.parse(r.roles) as string[], brands: JSON.parse(r.brands) as string[], status: r.status, sso: r.sso_key !== null }));
  }
}
