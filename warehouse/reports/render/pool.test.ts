/**
 * The render pool: documents rendered on worker threads (loaded through tsx, as under the CLI) give
 * the same bytes as in this thread, jobs answer in any order to the right caller, a failing render
 * rejects its own job with the renderer's error, and the pool's size follows WH_RENDER_WORKERS.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ReportFormat } from '../definition';
import type { RenderedFile } from '../delivery';
import type { ReportDocument } from '../document';
import { SAMPLE_DOCUMENT } from '../sample-document';
import { renderFormats } from './formats';
import { createRenderer, RenderPool, renderWorkers } from './pool';

const FORMATS: ReportFormat[] = ['pdf', 'xlsx', 'csv'];
const digest = (files: RenderedFile[]) => files.map((f) => ({ name: f.name, rows: f.rows, size: f.bytes.byteLength, sha256: createHash('sha256').update(f.bytes).digest('hex') }));

/** Variants of the sample: another period (other file names, other generated_at) and a short one. */
const documents: ReportDocument[] = [
  SAMPLE_DOCUMENT,
  { ...SAMPLE_DOCUMENT, params: { ...SAMPLE_DOCUMENT.params, jurisdiction: 'GB' }, generated_at: '2026-11-03T07:00:00.000Z' },
  { ...SAMPLE_DOCUMENT, report_id: 'short', sections: SAMPLE_DOCUMENT.sections.map((s) => ({ ...s, rows: s.rows.slice(0, 3) })) },
];

describe('RenderPool', () => {
  it('renders on worker threads the same bytes as in this thread, each answer to its own document', async () => {
    const sequential = [];
    for (const d of documents) sequential.push(digest(await renderFormats(d, FORMATS)));
    const pool = new RenderPool(2);
    try {
      // more jobs than workers, queued at once: every answer must reach the document it belongs to
      const pooled = await Promise.all([...documents, ...documents].map((d) => pool.render(d, FORMATS)));
      expect(pooled.map(digest)).toEqual([...sequential, ...sequential]);
      expect(pooled[0]!.map((f) => f.name)).toContain('sample-2026-10-MT.pdf');
      expect(pooled[0]!.every((f) => f.bytes instanceof Uint8Array)).toBe(true);
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('rejects a document its renderer refuses with the renderer\'s error, and renders the next', async () => {
    const pool = new RenderPool(1);
    try {
      await expect(pool.render({ ...SAMPLE_DOCUMENT, generated_at: 'yesterday' }, ['pdf'])).rejects.toThrow(/generated_at is not a timestamp: yesterday/);
      const files = await pool.render(SAMPLE_DOCUMENT, ['csv']);
      expect(files.length).toBe(SAMPLE_DOCUMENT.sections.length);
    } finally {
      await pool.close();
    }
  }, 120_000);

  it('sizes to the cores unless WH_RENDER_WORKERS says otherwise; none for a single document', () => {
    expect(renderWorkers(1, undefined, {})).toBe(0);
    expect(renderWorkers(47, undefined, {})).toBeGreaterThanOrEqual(1);
    expect(renderWorkers(47, undefined, { WH_RENDER_WORKERS: '0' })).toBe(0);
    expect(renderWorkers(47, undefined, { WH_RENDER_WORKERS: '3' })).toBe(3);
    expect(renderWorkers(2, undefined, { WH_RENDER_WORKERS: '8' })).toBe(2);
    expect(renderWorkers(47, 0, { WH_RENDER_WORKERS: '3' })).toBe(0);
    expect(() => renderWorkers(47, undefined, { WH_RENDER_WORKERS: 'many' })).toThrow(/WH_RENDER_WORKERS/);
    expect(createRenderer(0).pooled).toBe(false);
  });
});
