/**
 * The SQL as executed: a model's query with each table reference replaced by the relation the
 * engine chose (a physical table, an environment's view, a test's input), each @macro by its
 * value and each user SQL macro call (`macros.name(`) by the macro version the model was compiled with. Works on the original text, so what runs is what the analyst wrote, comments included.
 */
import { findMacros, type MacroValues } from '../files/macros';
import { lineAt, tokens } from '../files/sql-text';
import { physicalMacroRelation } from '../names';
import { type CompiledModel, ModelError } from '../types';

export interface RenderOptions {
  /** The SQL relation text for a model the query reads, e.g. `"wh_physical"."staging__stg_bets__1a2b3c4d5e6f"`. */
  relationOf(modelName: string): string;
  /** Macro values (macros.ts: timeMacros(), plus `this_model` when the query uses it). */
  macros: MacroValues;
}

export function renderQuery(compiled: Pick<CompiledModel, 'def' | 'refs' | 'macroRefs' | 'macros'>, options: RenderOptions): string {
  const { def, refs } = compiled;
  const src = { file: def.where.file, queryLine: def.queryLine };
  const edits: { start: number; end: number; text: string }[] = refs.map((r) => ({ start: r.start, end: r.end, text: options.relationOf(r.name) }));
  for (const r of compiled.macroRefs ?? []) {
    const m = compiled.macros?.find((x) => x.name === r.name);
    if (!m) throw new Error(`${def.name}: macro ${r.name} was not compiled with the model`);
    edits.push({ start: r.start, end: r.end, text: physicalMacroRelation(m.name, m.version) });
  }
  for (const m of findMacros(def.query, src)) {
    const value = options.macros[m.name];
    if (value === undefined) {
      throw new ModelError(`macro @${m.name} has no value here (given: ${Object.keys(options.macros).map((k) => `@${k}`).join(', ') || 'none'})`,
        { file: def.where.file, line: lineAt(def.query, m.start, def.queryLine) }, def.name);
    }
    edits.push({ start: m.start, end: m.end, text: value });
  }
  // A trailing `;` would break the engine's wrapping (CREATE TABLE ... AS (<query>)): drop it, keep trailing comments.
  const trailing: number[] = [];
  for (const t of tokens(def.query)) {
    if (t.text === ';') trailing.push(t.start);
    else trailing.length = 0;
  }
  for (const at of trailing) edits.push({ start: at, end: at + 1, text: '' });
  edits.sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const e of edits) {
    out += def.query.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  out = (out + def.query.slice(pos)).trim();
  // A last-line `--` comment would swallow whatever the engine appends.
  const lastLine = out.slice(out.lastIndexOf('\n') + 1);
  return lastLine.includes('--') ? `${out}\n` : out;
}
