/**
 * A unified line diff (LCS), for showing a model's query change in a plan. Queries are short, so
 * the quadratic table is fine; a bound keeps a pathological file from taking the plan down.
 */

const CELLS_MAX = 4_000_000;

type Op = { op: ' ' | '-' | '+'; line: string };

function lcsOps(a: string[], b: string[]): Op[] {
  if ((a.length + 1) * (b.length + 1) > CELLS_MAX) {
    return [...a.map((line): Op => ({ op: '-', line })), ...b.map((line): Op => ({ op: '+', line }))];
  }
  // lengths[i][j] = LCS of a[i..] and b[j..]
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i]![j] = a[i] === b[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i]! });
      i++;
      j++;
    } else if (lengths[i + 1]![j]! >= lengths[i]![j + 1]!) ops.push({ op: '-', line: a[i++]! });
    else ops.push({ op: '+', line: b[j++]! });
  }
  while (i < a.length) ops.push({ op: '-', line: a[i++]! });
  while (j < b.length) ops.push({ op: '+', line: b[j++]! });
  return ops;
}

/** `--- old` / `+++ new` and `@@` hunks with `context` unchanged lines around each change; '' when equal. */
export function unifiedDiff(oldText: string, newText: string, opts: { oldName?: string; newName?: string; context?: number; oldFirstLine?: number; newFirstLine?: number } = {}): string {
  const a = oldText.replace(/\n$/, '').split('\n');
  const b = newText.replace(/\n$/, '').split('\n');
  // Hunk line numbers count from these (the line of the file each text starts on).
  const [aBase, bBase] = [(opts.oldFirstLine ?? 1) - 1, (opts.newFirstLine ?? 1) - 1];
  const ops = lcsOps(a, b);
  if (ops.every((o) => o.op === ' ')) return '';
  const context = opts.context ?? 3;
  const changed = ops.map((o, k) => (o.op !== ' ' ? k : -1)).filter((k) => k >= 0);
  // Group changes whose context windows touch into hunks.
  const hunks: [number, number][] = [];
  for (const k of changed) {
    const lo = Math.max(0, k - context);
    const hi = Math.min(ops.length, k + context + 1);
    const last = hunks[hunks.length - 1];
    if (last && lo <= last[1]) last[1] = hi;
    else hunks.push([lo, hi]);
  }
  const out = [`--- ${opts.oldName ?? 'old'}`, `+++ ${opts.newName ?? 'new'}`];
  for (const [lo, hi] of hunks) {
    // Line numbers (1-based) where the hunk starts in each text.
    const before = ops.slice(0, lo);
    const aStart = before.filter((o) => o.op !== '+').length + 1;
    const bStart = before.filter((o) => o.op !== '-').length + 1;
    const body = ops.slice(lo, hi);
    const aLen = body.filter((o) => o.op !== '+').length;
    const bLen = body.filter((o) => o.op !== '-').length;
    out.push(`@@ -${aBase + (aLen === 0 ? aStart - 1 : aStart)},${aLen} +${bBase + (bLen === 0 ? bStart - 1 : bStart)},${bLen} @@`);
    for (const o of body) out.push(`${o.op}${o.line}`);
  }
  return out.join('\n');
}
