/**
 * Event shapes: what the warehouse sees of an event type, without its values. For each event type,
 * every envelope field and every payload key path with the set of JSON types it was seen with
 * (integer and non-integer numbers apart, since money must be integers). Two streams with the same
 * shapes give the staging models the same columns and types.
 *
 * It is the contract between the edge and the simulator's fast mode (simulator/fast.ts writes the
 * edge's events by hand): test/edge/event-shapes.test.ts drives a scripted player through the real
 * objects and keeps their shapes in simulator/event-shapes.json; simulator/event-shapes.test.ts
 * checks that fast mode produces the same shapes (docs/simulator.md, "Parity with the edge").
 *
 * Pure and platform-free: it runs in workerd (the edge test) and in Node (the fast-mode test).
 */

/** One event type: envelope field -> types, payload key path -> types (types sorted, joined by '|'). */
export type EventShape = { envelope: Record<string, string>; payload: Record<string, string> };
export type EventShapes = Record<string, EventShape>;

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string, boolean, object
}

function addType(out: Map<string, Set<string>>, path: string, t: string): void {
  const s = out.get(path);
  if (s) s.add(t);
  else out.set(path, new Set([t]));
}

/** Key paths of a value: `a`, `a.b` for nested objects, `a[]` for array elements. */
function walk(v: unknown, path: string, out: Map<string, Set<string>>): void {
  if (Array.isArray(v)) {
    for (const x of v) {
      addType(out, `${path}[]`, jsonType(x));
      walk(x, `${path}[]`, out);
    }
  } else if (v !== null && typeof v === 'object') {
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      const p = path ? `${path}.${k}` : k;
      addType(out, p, jsonType(x));
      if (x !== null && typeof x === 'object') walk(x, p, out);
    }
  }
}

/** Collects the shapes of events, one at a time (millions of them in the fast-mode test: kept cheap). */
export class ShapeCollector {
  private readonly acc = new Map<string, { envelope: Map<string, Set<string>>; payload: Map<string, Set<string>> }>();

  add(event: { event_type: string } & Record<string, unknown>): void {
    let s = this.acc.get(event.event_type);
    if (!s) this.acc.set(event.event_type, (s = { envelope: new Map(), payload: new Map() }));
    for (const k in event) addType(s.envelope, k, jsonType(event[k]));
    walk(event.payload, '', s.payload);
  }

  /** The shapes, with event types and keys sorted (a stable, diffable JSON document). */
  shapes(): EventShapes {
    const out: EventShapes = {};
    const flat = (m: Map<string, Set<string>>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, t]) => [k, [...t].sort().join('|')]));
    for (const type of [...this.acc.keys()].sort()) {
      const s = this.acc.get(type)!;
      out[type] = { envelope: flat(s.envelope), payload: flat(s.payload) };
    }
    return out;
  }
}

export function shapesOf(events: Iterable<{ event_type: string } & Record<string, unknown>>): EventShapes {
  const c = new ShapeCollector();
  for (const e of events) c.add(e);
  return c.shapes();
}

/** The contract file's text: one key path per line, so a drift shows as a one-line diff. */
export function formatShapes(shapes: EventShapes): string {
  return `${JSON.stringify(shapes, null, 2)}\n`;
}

/** A difference between two shapes of one event type, readable on its own. */
export type ShapeDiff = { event_type: string; part: 'envelope' | 'payload'; key: string; edge: string | null; fast: string | null };

export function describeDiff(d: ShapeDiff): string {
  return `${d.event_type} ${d.part}.${d.key}: edge ${d.edge ?? '(absent)'}, fast ${d.fast ?? '(absent)'}`;
}

/**
 * Key-by-key differences for the event types both sides have (types only one side has are the
 * caller's business: they must be listed with a reason, see simulator/event-shapes.test.ts).
 */
export function diffShapes(edge: EventShapes, fast: EventShapes): ShapeDiff[] {
  const out: ShapeDiff[] = [];
  for (const type of Object.keys(edge).sort()) {
    const f = fast[type];
    if (!f) continue;
    for (const part of ['envelope', 'payload'] as const) {
      const a = edge[type]![part];
      const b = f[part];
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        if (a[key] !== b[key]) out.push({ event_type: type, part, key, edge: a[key] ?? null, fast: b[key] ?? null });
      }
    }
  }
  return out;
}
