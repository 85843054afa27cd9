/**
 * One document in its formats: the files a delivery holds besides document.json. Pure rendering
 * from an already-built document (no query, no clock), so it runs the same in the main thread and on
 * a render worker (pool.ts), and gives the same bytes in both.
 */
import type { ReportFormat } from '../definition';
import type { RenderedFile } from '../delivery';
import type { ReportDocument } from '../document';
import { renderCsv } from './csv';
import { renderPdf } from './pdf';
import { renderXlsx } from './xlsx';

export async function renderFormats(doc: ReportDocument, formats: readonly ReportFormat[]): Promise<RenderedFile[]> {
  const files: RenderedFile[] = [];
  const base = fileBase(doc);
  const tableRows = doc.sections.reduce((n, s) => n + s.rows.length, 0);
  for (const format of formats) {
    if (format === 'pdf') files.push({ name: `${base}.pdf`, bytes: await renderPdf(doc), rows: tableRows });
    else if (format === 'xlsx') files.push({ name: `${base}.xlsx`, bytes: await renderXlsx(doc), rows: tableRows });
    else for (const csv of renderCsv(doc)) files.push({ name: csv.name, bytes: new TextEncoder().encode(csv.text), rows: csv.rows });
  }
  return files;
}

/** `gaming_return-2026-10-MT`: what a regulator's inbox shows. */
export function fileBase(doc: ReportDocument): string {
  const p = doc.params;
  return [doc.report_id, p.period.label, p.jurisdiction, p.brand, p.currency].filter((x) => x !== undefined).join('-');
}

