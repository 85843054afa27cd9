/**
 * How long renderPdf takes: the sample document (4 pages) and the same document with a 5,000-row
 * players table (~150 pages). One render first (parses the fonts, warms fontkit), then the median
 * of --runs renders of each. Not a TARGETS.md figure: input for W3 (the monthly pack) sizing.
 *
 * Run alone: `npx tsx bench/pdf-render.ts [--runs 5] [--rows 5000]` prints JSON.
 */
import { parseArgs } from 'node:util';
import type { Cell, ReportDocument } from '../warehouse/reports/document';
import { renderPdf } from '../warehouse/reports/render/pdf';
import { SAMPLE_DOCUMENT } from '../warehouse/reports/sample-document';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, rows: { type: 'string', default: '5000' } } });
const runs = Number(values.runs);
const rowCount = Number(values.rows);

/** The sample with its players table grown to `n` rows (distinct ids, the sample's names and amounts). */
function withPlayers(n: number): ReportDocument {
  const players = SAMPLE_DOCUMENT.sections[1]!;
  const rows = Array.from({ length: n }, (_, i) => {
    const row = players.rows[i % players.rows.length]!.slice() as Cell[];
    row[0] = `p-${String(i + 1).padStart(5, '0')}`;
    return row;
  });
  return { ...SAMPLE_DOCUMENT, sections: [SAMPLE_DOCUMENT.sections[0]!, { ...players, rows }] };
}

async function measure(doc: ReportDocument): Promise<{ median_ms: number; runs_ms: number[]; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    bytes = (await renderPdf(doc)).length;
    ms.push(Math.round(performance.now() - t));
  }
  return { median_ms: [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]!, runs_ms: ms, bytes };
}

const t0 = performance.now();
await renderPdf(SAMPLE_DOCUMENT);
const first_ms = Math.round(performance.now() - t0);
console.log(JSON.stringify({ first_render_ms: first_ms, sample: await measure(SAMPLE_DOCUMENT), [`rows_${rowCount}`]: await measure(withPlayers(rowCount)) }, null, 2));
