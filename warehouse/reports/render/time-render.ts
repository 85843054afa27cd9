/**
 * Render times of the XLSX and CSV renderers: SAMPLE_DOCUMENT and a 5,000-row document (the sample's
 * players section repeated), median of 5 runs each after one warm-up.
 *   npx tsx warehouse/reports/render/time-render.ts [rows]
 */
import type { Cell, ReportDocument } from '../document';
import { SAMPLE_DOCUMENT } from '../sample-document';
import { renderCsv } from './csv';
import { renderXlsx } from './xlsx';

function withRows(n: number): ReportDocument {
  const players = SAMPLE_DOCUMENT.sections[1]!;
  const rows: Cell[][] = [];
  for (let i = 0; i < n; i++) rows.push([`p-${i}`, ...players.rows[i % players.rows.length]!.slice(1)]);
  return { ...SAMPLE_DOCUMENT, sections: [{ ...players, rows }] };
}

async function median(f: () => unknown): Promise<number> {
  await f();
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[2]!;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 5000);
  const big = withRows(n);
  for (const [label, doc] of [['sample', SAMPLE_DOCUMENT], [`${n} rows`, big]] as const) {
    const xlsx = await median(() => renderXlsx(doc));
    const csv = await median(() => renderCsv(doc));
    const bytes = (await renderXlsx(doc)).byteLength;
    console.log(`${label}: xlsx ${xlsx.toFixed(0)} ms (${bytes} bytes), csv ${csv.toFixed(1)} ms`);
  }
}

void main();
