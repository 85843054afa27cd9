/**
 * What unit tests need to know about a query's shape, read from DuckDB's own parse tree
 * (json_serialize_sql), never from the text: whether its result is ordered (a top-level ORDER BY),
 * its top-level CTEs, and a query that returns one CTE's rows.
 *
 * A CTE's query is rebuilt by DuckDB itself: the tree of `SELECT * FROM "<cte>"` gets the model's
 * CTE list spliced in and json_deserialize_sql turns it back into SQL. That is robust where slicing
 * the model's text is not (DuckDB keeps no end offsets for CTEs; comments, nested parentheses and
 * strings would all have to be re-parsed by hand). The splice is done on the JSON text DuckDB
 * extracted, so the tree's 64-bit numbers never pass through JavaScript numbers.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../../db';
import { quoteIdent } from '../names';

export interface QueryShape {
  /** The top-level query ends in ORDER BY: its rows come in a defined order. */
  ordered: boolean;
  /** Top-level CTEs by name (as written), each with whether its own query is ordered. */
  ctes: { name: string; ordered: boolean }[];
}

interface ParseTree {
  error: boolean;
  error_message?: string;
  statements?: { node: QueryNode }[];
}
interface QueryNode {
  type: string;
  modifiers?: { type: string }[];
  cte_map?: { map: { key: string; value: { query: { node: QueryNode } } }[] };
}

/** Thrown for SQL that DuckDB cannot parse; the message is DuckDB's. */
export class QueryParseError extends Error {}

async function serialize(con: DuckDBConnection, sql: string): Promise<string> {
  const reader = await con.runAndReadAll(`SELECT json_serialize_sql(${sqlString(sql)})::VARCHAR AS tree`);
  return String(reader.getRowObjectsJson()[0]?.tree);
}

function topNode(json: string): QueryNode {
  const tree = JSON.parse(json) as ParseTree;
  if (tree.error || !tree.statements?.length) throw new QueryParseError(tree.error_message ?? 'not a query');
  if (tree.statements.length > 1) throw new QueryParseError('a model is one query, but this text holds several statements');
  return tree.statements[0]!.node;
}

const isOrdered = (node: QueryNode) => (node.modifiers ?? []).some((m) => m.type === 'ORDER_MODIFIER');

export async function queryShape(con: DuckDBConnection, sql: string): Promise<QueryShape> {
  const node = topNode(await serialize(con, sql));
  return {
    ordered: isOrdered(node),
    ctes: (node.cte_map?.map ?? []).map((e) => ({ name: e.key, ordered: isOrdered(e.value.query.node) })),
  };
}

/** `WITH <the query's CTEs> SELECT * FROM <cte>`, as SQL DuckDB wrote from the parse tree. */
export async function cteQuery(con: DuckDBConnection, sql: string, cte: string): Promise<string> {
  const reader = await con.runAndReadAll(
    `SELECT json_extract(json_serialize_sql(${sqlString(sql)}), '$.statements[0].node.cte_map')::VARCHAR AS ctes`,
  );
  const ctes = String(reader.getRowObjectsJson()[0]?.ctes);
  const outer = await serialize(con, `SELECT * FROM ${quoteIdent(cte)}`);
  const empty = '"cte_map":{"map":[]}';
  // The outer query has no subqueries, so its only CTE list is the top-level one.
  if (outer.indexOf(empty) !== outer.lastIndexOf(empty) || !outer.includes(empty)) throw new Error('unexpected parse tree for SELECT * FROM <cte>');
  const spliced = outer.replace(empty, `"cte_map":${ctes}`);
  const back = await con.runAndReadAll(`SELECT json_deserialize_sql(${sqlString(spliced)}::JSON) AS sql`);
  return String(back.getRowObjectsJson()[0]?.sql);
}
