/**
 * AuditDO storage (one SQLite database per brand and UTC day) and the bounds an entry is held to
 * before it is stored. Triggers refuse UPDATE and DELETE, so changing history takes raw storage
 * access with the triggers dropped, which the hash chain (chain.ts) then exposes.
 */
import { OUTBOX_DDL } from '../lib/outbox';
import { SCHEDULES_DDL } from '../lib/schedules';
import type { AuditEntry, AuditEntryInput, AuditRow } from './types';
import type { UnhashedRow } from './chain';

const APPEND_ONLY = `select raise(abort, 'audit entries are append-only')`;

export const AUDIT_MIGRATIONS: readonly string[] = [
  /* 1: initial schema */ `
  create table meta (
    key text primary key check (key in ('shard')),
    value text not null
  );

  create table entries (
    seq integer primary key,
    at integer not null,
    actor_id text not null,
    actor_email text,
    actor_roles text not null,
    action text not null,
    target_type text not null,
    target_id text,
    brand text not null,
    jurisdiction text,
    outcome text not null check (outcome in ('allowed', 'denied', 'failed')),
    reason text,
    before text,
    after text,
    ip text,
    request_id text,
    prev_hash text not null check (length(prev_hash) = 64),
    hash text not null check (length(hash) = 64)
  );

  create trigger entries_no_update before update on entries begin ${APPEND_ONLY}; end;
  create trigger entries_no_delete before delete on entries begin ${APPEND_ONLY}; end;
  create trigger meta_no_update before update on meta begin ${APPEND_ONLY}; end;
  create trigger meta_no_delete before delete on meta begin ${APPEND_ONLY}; end;
  ${OUTBOX_DDL}
  `,
  /* 2: alarm schedules (the outbox shipper's jobs) */ SCHEDULES_DDL,
];

/** Serialised before/after state above this is replaced by a marker: the record is kept, the bulk is not. */
export const STATE_BYTES_MAX = 16 * 1024;
const REASON_CHARS_MAX = 2000;
const ROLES_MAX = 32;
const ROLE_CHARS_MAX = 64;

/** Identifiers come from our own code: one out of bounds is a bug, refused loudly. */
const ID_CHARS_MAX = {
  actor_id: 128, actor_email: 254, action: 128, target_type: 64, target_id: 256, brand: 64,
  jurisdiction: 16, ip: 64, request_id: 128,
} as const;

type IdField = keyof typeof ID_CHARS_MAX;
const OUTCOMES: readonly string[] = ['allowed', 'denied', 'failed'];

function requiredId(input: AuditEntryInput, field: IdField): string {
  const v = input[field];
  if (typeof v !== 'string' || v.length === 0 || v.length > ID_CHARS_MAX[field]) {
    throw new Error(`invariant: audit ${field} must be a string of 1..${ID_CHARS_MAX[field]} characters`);
  }
  return v;
}

function optionalId(input: AuditEntryInput, field: IdField): string | null {
  return input[field] == null ? null : requiredId(input, field);
}

function roles(input: AuditEntryInput): string {
  const r = input.actor_roles;
  if (!Array.isArray(r) || r.length > ROLES_MAX || !r.every((x) => typeof x === 'string' && x.length > 0 && x.length <= ROLE_CHARS_MAX)) {
    throw new Error(`invariant: audit actor_roles must be at most ${ROLES_MAX} role names of 1..${ROLE_CHARS_MAX} characters`);
  }
  return JSON.stringify(r);
}

/** JSON text of a state snapshot, or a `{"truncated":true,"bytes":N}` marker when it is too big. */
function boundedState(state: unknown): string | null {
  if (state == null) return null;
  let json: string | undefined;
  try {
    json = JSON.stringify(state);
  } catch {
    json = undefined; // a cycle or a BigInt
  }
  if (json === undefined) throw new Error('invariant: audit before/after must be JSON-serialisable');
  const bytes = new TextEncoder().encode(json).byteLength;
  return bytes > STATE_BYTES_MAX ? JSON.stringify({ truncated: true, bytes }) : json;
}

function boundedReason(reason: string | null): string | null {
  if (reason == null) return null;
  if (typeof reason !== 'string') throw new Error('invariant: audit reason must be a string or null');
  return reason.length > REASON_CHARS_MAX ? `${reason.slice(0, REASON_CHARS_MAX)} [truncated]` : reason;
}

/** The stored fields of an input entry, validated and bounded; seq and at come from the object. */
export function toRow(input: AuditEntryInput, seq: number, at: number): UnhashedRow {
  if (!OUTCOMES.includes(input.outcome)) throw new Error(`invariant: audit outcome must be one of ${OUTCOMES.join(', ')}`);
  return {
    seq, at,
    actor_id: requiredId(input, 'actor_id'), actor_email: optionalId(input, 'actor_email'), actor_roles: roles(input),
    action: requiredId(input, 'action'), target_type: requiredId(input, 'target_type'), target_id: optionalId(input, 'target_id'),
    brand: requiredId(input, 'brand'), jurisdiction: optionalId(input, 'jurisdiction'), outcome: input.outcome,
    reason: boundedReason(input.reason), before: boundedState(input.before), after: boundedState(input.after),
    ip: optionalId(input, 'ip'), request_id: optionalId(input, 'request_id'),
  };
}

export function toEntry(row: AuditRow): AuditEntry {
  return { ...row, actor_roles: JSON.parse(row.actor_roles) as string[] };
}
