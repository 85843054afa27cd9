/**
 * The compiled validator against zod, the judge (compiled-validator.ts): on the simulator's event
 * corpus it must accept every event zod accepts (else it saves nothing), and on every mutated or
 * malformed event it must never accept what zod refuses (else the loader would let it in). The
 * loader's verdict per line (judgeLine: compiled first, zod for the rest) must equal zod alone's,
 * reason included, on all of them.
 */
import { describe, expect, it } from 'vitest';
import { EVENT_PAYLOADS, EVENT_TYPES, validateEvent } from '../domain/events';
import { collectHistory } from '../simulator/sink';
import { acceptsEvent, compile, UnsupportedSchema } from './compiled-validator';
import { judgeLine } from './validate-line';
import { z } from 'zod';

type Json = Record<string, unknown>;

const corpus = collectHistory({ players: 40, days: 4, tables: 4, seed: 'compiled-validator', now: Date.UTC(2026, 10, 21) }).events;

/** A minimal payload zod accepts, built from the schema (for types the simulator never writes). */
function minimalPayload(type: keyof typeof EVENT_PAYLOADS): Json {
  const shape = (EVENT_PAYLOADS[type] as unknown as { shape: Record<string, z.ZodType> }).shape;
  const out: Json = {};
  for (const [k, s] of Object.entries(shape)) {
    for (const candidate of [null, 'a', 1, true, '0123456789abcdef']) {
      if (s.safeParse(candidate).success) {
        out[k] = candidate;
        break;
      }
    }
    if (!(k in out)) {
      const opts = (s as unknown as { options?: string[] }).options;
      if (opts) out[k] = opts[0];
    }
  }
  return out;
}

/** One sample event per type: from the corpus where it has one, else built. */
function samples(): Json[] {
  const byType = new Map<string, Json>();
  for (const e of corpus) if (!byType.has(e.event_type)) byType.set(e.event_type, JSON.parse(JSON.stringify(e)) as Json);
  const base = corpus[0]! as unknown as Json;
  for (const type of EVENT_TYPES) {
    if (!byType.has(type)) byType.set(type, { ...base, event_type: type, payload: minimalPayload(type) });
  }
  return [...byType.values()];
}

/** Values that probe each check: wrong types, edges of ranges and lengths, JSON's Infinity. */
const PROBES: unknown[] = [
  undefined, null, '', 'x', 'x'.repeat(128), 'x'.repeat(129), 0, -0, 1, -1, 1.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), JSON.parse('1e400'), JSON.parse('-1e400'),
  true, false, [], [1], {}, { a: 1 }, '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '019a0000-0000-7000-8000-000000000000',
  '019a0000-0000-9000-8000-000000000000', '019A0000-0000-7000-C000-00000000000G', '0123456789abcdef', '0123456789ABCDEF', '0123456789abcde', 'EUR', 'XXX', 'real', 'bonus', 'logout',
];

function* mutations(e: Json): Generator<Json> {
  const payload = e.payload as Json;
  for (const k of Object.keys(e)) {
    const { [k]: _drop, ...without } = e;
    yield without;
    for (const p of PROBES) yield { ...e, [k]: p };
  }
  yield { ...e, extra_field: 'kept out by the reader, ignored by zod' };
  for (const k of Object.keys(payload)) {
    const { [k]: _drop, ...without } = payload;
    yield { ...e, payload: without };
    for (const p of PROBES) yield { ...e, payload: { ...payload, [k]: p } };
  }
  for (const p of PROBES) yield { ...e, payload: { ...payload, extra: p } };
  for (const type of ['wallet.deposit.completed', 'rg.cool_off.ended', 'table.round.settled']) yield { ...e, event_type: type };
}

/** What the loader decided for a line, compiled or not. */
const verdict = (line: string, fast: boolean) => judgeLine(line, fast);

describe('the compiled validator agrees with zod', () => {
  it('compiles every payload type and the envelope of the contract', () => {
    expect(samples()).toHaveLength(EVENT_TYPES.length);
    for (const s of samples()) expect(validateEvent(s).ok, JSON.stringify(s)).toBe(true);
  });

  it(`accepts every event of the simulator's corpus (${corpus.length} events), as zod does`, () => {
    expect(corpus.length).toBeGreaterThan(10_000);
    let zodAccepted = 0;
    let accepted = 0;
    for (const e of corpus) {
      const parsed = JSON.parse(JSON.stringify(e)) as unknown;
      if (validateEvent(parsed).ok) zodAccepted++;
      if (acceptsEvent(parsed)) accepted++;
    }
    expect(zodAccepted).toBe(corpus.length);
    expect(accepted).toBe(corpus.length);
    // and every event type of the corpus took part
    expect(new Set(corpus.map((e) => e.event_type)).size).toBeGreaterThan(25);
  }, 120_000);

  it('never accepts what zod refuses, on every field of every type mutated; and agrees exactly on all but prototype keys', () => {
    let refused = 0;
    let cases = 0;
    for (const s of samples()) {
      for (const m of mutations(s)) {
        const line = JSON.stringify(m);
        const parsed = JSON.parse(line) as unknown;
        const zod = validateEvent(parsed).ok;
        const fast = acceptsEvent(parsed);
        cases++;
        if (!zod) refused++;
        expect(fast, line).toBe(zod);
        expect(verdict(line, true), line).toEqual(verdict(line, false));
      }
    }
    expect(cases).toBeGreaterThan(5_000);
    expect(refused).toBeGreaterThan(2_000);
  }, 240_000);

  it('sends prototype-shaped keys and malformed lines to zod, with zod\'s reason', () => {
    const e = JSON.stringify(corpus[0]);
    const lines = [
      e.replace('"payload":{', '"payload":{"__proto__":{"x":1},'),
      e.replace('"payload":{', '"payload":{"__proto__":1,'),
      e.replace('"payload":{', '"payload":{"constructor":"x",'),
      e.replace('"payload":{', '"payload":{"constructor":{"prototype":1},'),
      e.slice(0, -1),
      '',
      'null',
      '[]',
      '"a string"',
      '42',
      '{}',
      `${e}garbage`,
      e.replace(/"occurred_at":\d+/, '"occurred_at":1e400'),
      e.replace(/"occurred_at":(\d+)/, '"occurred_at":$1.5'),
      e.replace(/"schema_version":\d+/, '"schema_version":"1"'),
      e.replace(/"payload":\{/, '"payload":{"nested":{"a":1},'),
      e.replace(/"payload":\{/, '"payload":{"list":[1],'),
      e.replace(/"event_id":"[^"]+"/, '"event_id":"019a0000-0000-7000-8000-00000000000"'),
    ];
    for (const line of lines) {
      const zod = verdict(line, false);
      expect(verdict(line, true), line).toEqual(zod);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        expect(zod).toEqual({ ok: false, reason: 'not valid JSON', event_id: null });
        continue;
      }
      if (acceptsEvent(parsed)) expect(validateEvent(parsed).ok, line).toBe(true);
    }
    // a key named __proto__ holding a scalar is a valid payload value for zod: accepted, through zod
    expect(verdict(lines[1]!, true)).toEqual({ ok: true });
  });

  it('refuses to compile what it does not understand, rather than approximating it', () => {
    expect(() => compile(z.string().email() as never)).toThrow(UnsupportedSchema);
    expect(() => compile(z.object({ a: z.string() }).strict() as never)).toThrow(UnsupportedSchema);
    expect(() => compile(z.number().multipleOf(5) as never)).toThrow(UnsupportedSchema);
    expect(() => compile(z.array(z.string()) as never)).toThrow(UnsupportedSchema);
    expect(() => compile(z.string().transform((s) => s.length) as never)).toThrow(UnsupportedSchema);
  });
});
