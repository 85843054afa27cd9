/**
 * A validator compiled from the edge's own zod schemas (domain/events.ts), for the loader's hot path.
 *
 * zod is the judge; this is only a fast way to say "zod would accept this". At start-up the schema
 * definitions (`schema._zod.def`: the same objects zod itself runs) are walked and turned into one
 * JavaScript function per payload type plus one for the envelope, with plain `typeof`, length, range
 * and regex tests and no allocation. Per event it costs a fraction of `safeParse` (whose unions try
 * each option and build issue objects for the ones that fail).
 *
 * The contract: `acceptsEvent(x) === true` only when `validateEvent(x).ok`. Whenever it says false,
 * the loader asks zod, which either accepts after all (a case this compiler keeps conservative,
 * e.g. a payload key named `__proto__`) or gives the quarantine reason, word for word as before.
 * So the verdicts and reasons are zod's by construction; compiled-validator.test.ts checks the
 * contract on the simulator's event corpus and on mutated and malformed events.
 *
 * Only the schema kinds and checks the event contract uses are compiled; any other kind, format or
 * check makes compilation throw, so a schema change the compiler does not understand fails loudly
 * (in the tests and at the loader's start) instead of being approximated.
 */
import { EVENT_PAYLOADS, EventEnvelope } from '../domain/events';

/** The slice of zod 4's internal schema definition this compiler reads. */
type Def = {
  type: string;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  innerType?: Schema;
  options?: Schema[];
  keyType?: Schema;
  valueType?: Schema;
  entries?: Record<string, string | number>;
  checks?: { _zod: { def: CheckDef } }[];
  format?: string;
  check?: string;
  pattern?: RegExp;
  coerce?: boolean;
};
type CheckDef = { check: string; format?: string; value?: unknown; inclusive?: boolean; minimum?: number; maximum?: number; pattern?: RegExp };
type Schema = { _zod: { def: Def } };

export class UnsupportedSchema extends Error {}

/** Builds the body of one validator function; the constants it refers to (regexes, enum sets) are passed in as `K`. */
class Emitter {
  readonly lines: string[] = [];
  readonly consts: unknown[] = [];
  private vars = 0;

  konst(v: unknown): string {
    this.consts.push(v);
    return `K[${this.consts.length - 1}]`;
  }

  fresh(): string {
    return `v${this.vars++}`;
  }

  /** Emits statements that `return false` when the value in variable `v` does not satisfy `s`. */
  emit(s: Schema, v: string, where: string): void {
    const d = s._zod.def;
    if (d.coerce) throw new UnsupportedSchema(`${where}: coercion`);
    switch (d.type) {
      case 'string':
        this.lines.push(`if (typeof ${v} !== 'string') return false;`);
        if (d.format !== undefined) this.stringCheck({ check: d.check ?? '', format: d.format, pattern: d.pattern }, v, where);
        for (const c of d.checks ?? []) this.stringCheck(c._zod.def, v, where);
        return;
      case 'number':
        if (d.format !== undefined) throw new UnsupportedSchema(`${where}: number format ${d.format}`);
        // zod's number refuses NaN and +-Infinity (JSON.parse gives Infinity for 1e400)
        this.lines.push(`if (typeof ${v} !== 'number' || !Number.isFinite(${v})) return false;`);
        for (const c of d.checks ?? []) this.numberCheck(c._zod.def, v, where);
        return;
      case 'boolean':
        this.noChecks(d, where);
        this.lines.push(`if (typeof ${v} !== 'boolean') return false;`);
        return;
      case 'null':
        this.noChecks(d, where);
        this.lines.push(`if (${v} !== null) return false;`);
        return;
      case 'enum': {
        this.noChecks(d, where);
        const values = Object.values(d.entries ?? {});
        if (!values.every((x) => typeof x === 'string')) throw new UnsupportedSchema(`${where}: non-string enum`);
        this.lines.push(`if (!${this.konst(new Set(values))}.has(${v})) return false;`);
        return;
      }
      case 'nullable':
        this.noChecks(d, where);
        this.lines.push(`if (${v} !== null) {`);
        this.emit(d.innerType!, v, where);
        this.lines.push('}');
        return;
      case 'optional':
        this.noChecks(d, where);
        this.lines.push(`if (${v} !== undefined) {`);
        this.emit(d.innerType!, v, where);
        this.lines.push('}');
        return;
      case 'object': {
        this.noChecks(d, where);
        // no catchall = zod's default: unknown keys are stripped, not refused
        if (d.catchall !== undefined) throw new UnsupportedSchema(`${where}: object catchall (strict/loose)`);
        this.lines.push(`if (typeof ${v} !== 'object' || ${v} === null || Array.isArray(${v})) return false;`);
        for (const [key, field] of Object.entries(d.shape ?? {})) {
          if (key === '__proto__' || key === 'constructor') throw new UnsupportedSchema(`${where}: key ${key}`);
          const fv = this.fresh();
          this.lines.push(`const ${fv} = ${v}[${JSON.stringify(key)}];`);
          this.emit(field, fv, `${where}.${key}`);
        }
        return;
      }
      case 'record': {
        this.noChecks(d, where);
        const k = d.keyType!._zod.def;
        if (k.type !== 'string' || k.format !== undefined || (k.checks?.length ?? 0) > 0) throw new UnsupportedSchema(`${where}: record key other than z.string()`);
        // Stricter than zod's isPlainObject on purpose: anything but a JSON object's own prototype,
        // or a key that plays with prototypes, goes to zod.
        this.lines.push(`if (typeof ${v} !== 'object' || ${v} === null || Object.getPrototypeOf(${v}) !== Object.prototype) return false;`);
        const key = this.fresh();
        const item = this.fresh();
        this.lines.push(`for (const ${key} in ${v}) {`, `if (${key} === '__proto__' || ${key} === 'constructor') return false;`, `const ${item} = ${v}[${key}];`);
        this.emit(d.valueType!, item, `${where}[*]`);
        this.lines.push('}');
        return;
      }
      case 'union': {
        this.noChecks(d, where);
        // options that are bare scalar types become one inline test (the envelope's payload values)
        const tests = (d.options ?? []).map(scalarTest);
        if (tests.length > 0 && tests.every((t) => t !== undefined)) {
          this.lines.push(`if (!(${tests.map((t) => t!(v)).join(' || ')})) return false;`);
          return;
        }
        // else each option as its own function: the value passes when one of them says so
        const fns = (d.options ?? []).map((o, i) => this.konst(compile(o, `${where}|${i}`)));
        if (fns.length === 0) throw new UnsupportedSchema(`${where}: empty union`);
        this.lines.push(`if (!(${fns.map((f) => `${f}(${v})`).join(' || ')})) return false;`);
        return;
      }
      default:
        throw new UnsupportedSchema(`${where}: schema type ${d.type}`);
    }
  }

  private noChecks(d: Def, where: string): void {
    if ((d.checks?.length ?? 0) > 0) throw new UnsupportedSchema(`${where}: checks on ${d.type}`);
  }

  // A check's `when` (zod runs the check only when it returns true; length checks carry one that
  // skips values without a length) is ignored: running every check is stricter, never looser.
  private stringCheck(c: CheckDef, v: string, where: string): void {
    switch (c.check) {
      case 'min_length':
        this.lines.push(`if (${v}.length < ${Number(c.minimum)}) return false;`);
        return;
      case 'max_length':
        this.lines.push(`if (${v}.length > ${Number(c.maximum)}) return false;`);
        return;
      case 'string_format': {
        // formats that are exactly a regex test in zod (others, like url or jwt, also run code)
        if (!['uuid', 'regex'].includes(c.format ?? '') || !(c.pattern instanceof RegExp)) throw new UnsupportedSchema(`${where}: string format ${c.format}`);
        if (/[gy]/.test(c.pattern.flags)) throw new UnsupportedSchema(`${where}: stateful regex flags ${c.pattern.flags}`);
        this.lines.push(`if (!${this.konst(c.pattern)}.test(${v})) return false;`);
        return;
      }
      default:
        throw new UnsupportedSchema(`${where}: string check ${c.check}`);
    }
  }

  private numberCheck(c: CheckDef, v: string, where: string): void {
    switch (c.check) {
      case 'number_format':
        // zod: Number.isInteger and within +-(2^53 - 1)
        if (c.format !== 'safeint') throw new UnsupportedSchema(`${where}: number format ${c.format}`);
        this.lines.push(`if (!Number.isSafeInteger(${v})) return false;`);
        return;
      case 'greater_than':
      case 'less_than': {
        if (typeof c.value !== 'number') throw new UnsupportedSchema(`${where}: non-numeric bound`);
        const op = c.check === 'greater_than' ? (c.inclusive ? '>=' : '>') : (c.inclusive ? '<=' : '<');
        this.lines.push(`if (!(${v} ${op} ${c.value})) return false;`);
        return;
      }
      default:
        throw new UnsupportedSchema(`${where}: number check ${c.check}`);
    }
  }
}

/** The inline test of a scalar type with no checks (z.string(), z.number(), z.boolean(), z.null()), else undefined. */
function scalarTest(s: Schema): ((v: string) => string) | undefined {
  const d = s._zod.def;
  if ((d.checks?.length ?? 0) > 0 || d.format !== undefined || d.coerce) return undefined;
  switch (d.type) {
    case 'string': return (v) => `typeof ${v} === 'string'`;
    case 'number': return (v) => `(typeof ${v} === 'number' && Number.isFinite(${v}))`;
    case 'boolean': return (v) => `typeof ${v} === 'boolean'`;
    case 'null': return (v) => `${v} === null`;
    default: return undefined;
  }
}

/** One schema -> `(value) => boolean`, true only when zod would accept the value. */
export function compile(schema: Schema, where = 'schema'): (value: unknown) => boolean {
  const e = new Emitter();
  e.emit(schema, 'x', where);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the schemas above; Node only (the warehouse loader)
  return new Function('K', `return function accepts(x) {\n${e.lines.join('\n')}\nreturn true;\n};`)(e.consts) as (value: unknown) => boolean;
}

/** The envelope and every payload type, compiled once. */
function compileEvents(): (input: unknown) => boolean {
  // zod's public types do not expose `_zod.def`'s shape per kind; Schema is the slice read above.
  const envelope = compile(EventEnvelope as unknown as Schema, 'envelope');
  const payloads = new Map<string, (v: unknown) => boolean>();
  for (const [type, schema] of Object.entries(EVENT_PAYLOADS)) payloads.set(type, compile(schema as unknown as Schema, type));
  return (input) => {
    if (!envelope(input)) return false;
    const e = input as { event_type: string; payload: unknown };
    const payload = payloads.get(e.event_type);
    return payload !== undefined && payload(e.payload);
  };
}

/** True only when `validateEvent(input).ok` would be; false means "ask zod". */
export const acceptsEvent: (input: unknown) => boolean = compileEvents();
