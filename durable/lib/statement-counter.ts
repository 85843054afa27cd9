/**
 * A storage whose `sql.exec` counts statements by query text. A statement in an object's SQLite
 * costs ~10-20 us here whatever it does, so the count per operation is its budget: the E1 bench
 * reports it and test/edge/statement-budget.test.ts pins it. Diagnostics only (it adds overhead);
 * nothing in production builds one.
 */
export type StatementCounts = Map<string, number>;

export function countingStorage(storage: DurableObjectStorage, counts: StatementCounts): DurableObjectStorage {
  const sql = storage.sql;
  const countingSql = new Proxy(sql, {
    get(target, prop) {
      if (prop === 'exec') {
        return (query: string, ...bindings: unknown[]) => {
          counts.set(query, (counts.get(query) ?? 0) + 1);
          return target.exec(query, ...bindings);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === 'sql') return countingSql;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/**
 * Counts the statements of a live object's own storage (whose Db already holds `sql`): wraps
 * `sql.exec` in place until the returned function restores it. Tests only.
 */
export function countStatements(sql: SqlStorage, counts: StatementCounts): () => void {
  const exec = sql.exec;
  sql.exec = ((query: string, ...bindings: unknown[]) => {
    counts.set(query, (counts.get(query) ?? 0) + 1);
    return exec.call(sql, query, ...bindings);
  }) as typeof sql.exec;
  return () => {
    sql.exec = exec;
  };
}

/** Statements per operation, by query (whitespace folded), most frequent first. */
export function statementReport(counts: StatementCounts, ops: number): { statements_per_op: number; by_query: { per_op: number; query: string }[] } {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  return {
    statements_per_op: ops ? total / ops : 0,
    by_query: [...counts.entries()].sort((a, b) => b[1] - a[1])
      .map(([q, k]) => ({ per_op: ops ? k / ops : 0, query: q.trim().replace(/\s+/g, ' ').slice(0, 140) })),
  };
}
