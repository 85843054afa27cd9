/**
 * User SQL macros: each `macros/*.sql` file holds DuckDB `CREATE MACRO` statements, the way
 * SQLMesh projects on DuckDB share an expression between models:
 *
 *   CREATE MACRO minor_to_major(amount_minor, exponent) AS CAST(amount_minor AS DECIMAL(20, 0)) * ...;
 *   CREATE MACRO last_days(n) AS TABLE SELECT ...;
 *
 * Only the statement's frame is read here (name, parameters, AS [TABLE], body); the body is parsed
 * by DuckDB in compile/sql-macros.ts. Every problem is a ModelError naming the file and line.
 */
import { identValue, lineAt, statements, tokens, type Token } from './sql-text';
import { MACRO_SCHEMA } from '../names';
import { ModelError, type SqlMacroDef } from '../types';

const NAME = /^[a-z_][a-z0-9_]*$/;

export function parseMacroFile(text: string, file: string): SqlMacroDef[] {
  const out: SqlMacroDef[] = [];
  for (const st of statements(text)) {
    const where = { file, line: lineAt(text, st.start) };
    const fail = (message: string, at = st.start): never => { throw new ModelError(message, { file, line: lineAt(text, at) }); };
    const toks: Token[] = [...tokens(text.slice(0, st.end), st.start)];
    let i = 0;
    const word = () => (toks[i]?.kind === 'ident' ? toks[i]!.text.toLowerCase() : undefined);
    const frame = 'a macro file holds CREATE MACRO name(params) AS expression; (or AS TABLE query;) statements';
    if (word() !== 'create') fail(`${frame}, found ${toks[0]?.text ?? 'nothing'}`);
    i++;
    if (word() === 'or' && toks[i + 1]?.text.toLowerCase() === 'replace') i += 2;
    if (word() === 'temp' || word() === 'temporary') fail('a TEMP macro would not persist in the warehouse: write CREATE MACRO', toks[i]!.start);
    if (word() !== 'macro' && word() !== 'function') fail(frame, toks[i]?.start);
    i++;
    // `name` or `macros.name`: models call it as macros.name either way.
    const nameTokens = toks[i + 1]?.text === '.' ? [toks[i], toks[i + 2]] : [toks[i]];
    if (nameTokens.some((t) => !t || (t.kind !== 'ident' && t.kind !== 'quoted'))) fail(`${frame}: expected the macro's name`, toks[i]?.start);
    const names = nameTokens.map((t) => identValue(t!));
    if (names.length === 2 && names[0] !== MACRO_SCHEMA) fail(`macro ${names.join('.')}: a macro lives in schema ${MACRO_SCHEMA} (write ${names[1]} or ${MACRO_SCHEMA}.${names[1]})`, toks[i]!.start);
    const name = names[names.length - 1]!;
    if (!NAME.test(name)) fail(`macro name ${name}: lower case letters, digits and underscores`, toks[i]!.start);
    i += names.length * 2 - 1;
    if (toks[i]?.text !== '(') fail(`macro ${name}: expected (parameters) after the name`, toks[i]?.start);
    const open = toks[i]!;
    let depth = 0;
    for (; i < toks.length; i++) {
      if (toks[i]!.text === '(') depth++;
      else if (toks[i]!.text === ')' && --depth === 0) break;
    }
    if (depth !== 0) fail(`macro ${name}: its parameter list is not closed`, open.start);
    const params = text.slice(open.end, toks[i]!.start).trim();
    i++;
    if (word() !== 'as') fail(`macro ${name}: expected AS after the parameters`, toks[i]?.start ?? st.end);
    i++;
    const table = word() === 'table';
    if (table) i++;
    const first = toks[i];
    if (!first) fail(`macro ${name}: nothing after AS`, st.end);
    const body = text.slice(first!.start, st.end);
    const other = out.find((m) => m.name === name);
    if (other) fail(`macro ${name} is defined twice in this file (line ${other.where.line}); overloads are not supported`);
    out.push({ name, params, body, table, where, bodyLine: lineAt(text, first!.start) });
  }
  return out;
}
