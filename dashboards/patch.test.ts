/**
 * The project's patch of @evidence-dev/universal-sql (dashboards/patches/, applied by patch-package
 * when dashboards/ is installed) is what lets `evidence sources`, `evidence build` and the pages
 * run with no network: duckdb-wasm downloads its parquet extension on the first read_parquet, and
 * here that download never answers (dashboards/README.md "Offline"). These tests fail when the patch
 * stops applying (a new universal-sql version, a lost postinstall) or stops working:
 * - each patched file carries the patch's marker, and the installed version is the patched one;
 * - Evidence's own code, as installed, writes a multi-part Parquet source and queries it through
 *   the node client (what prerendering does), offline, within seconds. Unpatched, the merge of the
 *   parts is a duckdb-wasm `read_parquet` and hangs until the test's timeout.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dashboards = import.meta.dirname;
const pkgDir = join(dashboards, 'node_modules', '@evidence-dev', 'universal-sql');
const MARKER = 'edge-casino patch (dashboards/patches)';
const PATCHED = ['src/build-parquet.js', 'src/client-duckdb/node.js', 'src/client-duckdb/browser.js'];

describe('the universal-sql patch', () => {
  it('is committed for the installed version and applied to every file it changes', () => {
    const installed = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version as string;
    const patches = readdirSync(join(dashboards, 'patches'));
    expect(patches).toContain(`@evidence-dev+universal-sql+${installed}.patch`);
    const patch = readFileSync(join(dashboards, 'patches', `@evidence-dev+universal-sql+${installed}.patch`), 'utf8');
    for (const file of PATCHED) {
      expect(patch, `the patch changes ${file}`).toContain(`node_modules/@evidence-dev/universal-sql/${file}`);
      const text = readFileSync(join(pkgDir, file), 'utf8');
      expect(text, `${file} is patched`).toContain(MARKER);
      // What the patch removes: no Parquet is ever read by duckdb-wasm.
      expect(text, `${file} still reads Parquet through duckdb-wasm`).not.toMatch(/read_parquet\(/);
    }
    // The versions the patch was written against, pinned by dashboards/package.json's overrides.
    const manifest = JSON.parse(readFileSync(join(dashboards, 'package.json'), 'utf8'));
    expect(manifest.overrides).toMatchObject({ '@duckdb/duckdb-wasm': '1.32.0', 'parquet-wasm': '0.5.0' });
    expect(manifest.dependencies['@evidence-dev/universal-sql']).toBe(installed);
  });

  describe('Evidence code as installed, offline', () => {
    const work = mkdtempSync(join(tmpdir(), 'evd-patch-'));
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    it('writes a source of several Parquet parts and queries it through the node client', async () => {
      const { buildMultipartParquet } = await import(join(pkgDir, 'src', 'build-parquet.js'));
      const client = await import(join(pkgDir, 'src', 'client-duckdb', 'node.js'));
      const columns = [
        { name: 'brand', evidenceType: 'string' },
        { name: 'ggr_eur', evidenceType: 'number' },
        { name: 'active', evidenceType: 'boolean' },
        { name: 'activity_date', evidenceType: 'date' },
      ];
      const rows = Array.from({ length: 25 }, (_, i) => ({
        brand: i % 2 ? 'aurora' : 'sakura', ggr_eur: i * 1.5, active: i % 3 === 0, activity_date: new Date(Date.UTC(2026, 10, 1 + (i % 30))),
      }));
      // batchSize 10: three parts, which the patched code merges without duckdb-wasm.
      const written = await buildMultipartParquet(columns, rows, join(work, 'tmp'), join(work, 'out'), 'casino/ggr/ggr.parquet', 10);
      expect(written).toBe(25);
      // The node client resolves source paths against the working directory, as Evidence's build does.
      const file = relative(process.cwd(), join(work, 'out', 'casino', 'ggr', 'ggr.parquet'));
      await client.initDB();
      await client.setParquetURLs({ casino: [file] });
      const result = client.query("select brand, sum(ggr_eur) as ggr_eur, count(*) filter (where active) as active, max(activity_date) as last_day from casino.ggr group by 1 order by 1");
      expect(result.map((r: Record<string, unknown>) => ({ ...r, last_day: new Date(r.last_day as string | number).toISOString().slice(0, 10) }))).toEqual([
        { brand: 'aurora', ggr_eur: 1.5 * (1 + 3 + 5 + 7 + 9 + 11 + 13 + 15 + 17 + 19 + 21 + 23), active: 4, last_day: '2026-11-24' },
        { brand: 'sakura', ggr_eur: 1.5 * (0 + 2 + 4 + 6 + 8 + 10 + 12 + 14 + 16 + 18 + 20 + 22 + 24), active: 5, last_day: '2026-11-25' },
      ]);
    }, 60_000);
  });
});
