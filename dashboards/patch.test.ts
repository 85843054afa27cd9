/**
 * The project's patch of @evidence-dev/universal-sql (dashboards/patches/, applied by patch-package
 * when dashboards/ is installed) is what lets `evidence sources`, `evidence build` and the pages
 * run with no network: duckdb-wasm downloads its parquet extension on the first read_parquet, and
 * here that download never answers (dashboards/README.md "Offline"). These tests fail when the patch
 * stops applying (a new universal-sql version, a lost postinstall) or stops working:
 * - each patched file carries the patch's marker, and the installed version is the patched one;
 * - Evidence's own code, as installed, writes a multi-part Parquet source and queries it through
 *   the node client (what prerendering does), offline, within seconds. Unpatched, the merge of the
 *   parts is a duckdb-wasm `read_parquet` and hangs until the test's timeout;
 * - a source with no rows gets a Parquet file with its columns and their types, and queries of it
 *   answer no rows (unpatched no file is written and the build fails reading it: a fresh warehouse,
 *   or a brand's build whose cross-brand marts are empty).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      // In a process of its own, killed after 60 s: unpatched, duckdb-wasm's node client blocks its
      // whole process waiting for the extension download, so an in-process test could never time out.
      const script = `
        const [pkgDir, work] = process.argv.slice(1);
        const { buildMultipartParquet } = await import(pkgDir + '/src/build-parquet.js');
        const client = await import(pkgDir + '/src/client-duckdb/node.js');
        const columns = [
          { name: 'brand', evidenceType: 'string' }, { name: 'ggr_eur', evidenceType: 'number' },
          { name: 'active', evidenceType: 'boolean' }, { name: 'activity_date', evidenceType: 'date' },
        ];
        const rows = Array.from({ length: 25 }, (_, i) => ({
          brand: i % 2 ? 'aurora' : 'sakura', ggr_eur: i * 1.5, active: i % 3 === 0, activity_date: new Date(Date.UTC(2026, 10, 1 + (i % 30))),
        }));
        // batchSize 10: three parts, which the patched code merges without duckdb-wasm.
        const written = await buildMultipartParquet(columns, rows, work + '/tmp', work + '/out', 'casino/ggr/ggr.parquet', 10);
        // The node client resolves source paths against the working directory, as Evidence's build does.
        await client.initDB();
        await client.setParquetURLs({ casino: ['out/casino/ggr/ggr.parquet'] });
        const result = client.query("select brand, sum(ggr_eur) as ggr_eur, count(*) filter (where active) as active, strftime(max(activity_date), '%Y-%m-%d') as last_day from casino.ggr group by 1 order by 1");
        // No rows: the file exists, with the columns' types (a date compares with a date, a boolean filters).
        const none = await buildMultipartParquet(columns, [], work + '/tmp', work + '/out', 'casino/empty/empty.parquet', 10);
        await client.setParquetURLs({ casino: ['out/casino/empty/empty.parquet'] }, true);
        const empty = client.query("select count(*) filter (where active and activity_date >= date '2026-11-01')::int as n, count(*)::int as total from casino.empty");
        const types = client.query("select column_name, column_type as data_type from (describe casino.empty) order by 1");
        process.stdout.write('RESULT' + JSON.stringify({ written, result, none, empty, types }) + '\\n');
        process.exit(0);`;
      const { code, out } = await new Promise<{ code: number | null; out: string }>((ok) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, pkgDir, work], { cwd: work, env: { ...process.env, SEND_ANONYMOUS_USAGE_STATS: 'no' } });
        let out = '';
        child.stdout.on('data', (b) => { out += b; });
        child.stderr.on('data', (b) => { out += b; });
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('exit', (c) => { clearTimeout(timer); ok({ code: c, out }); });
      });
      expect(code, `the check exited ${code} (killed after 60 s = hung offline):\n${out.slice(-2000)}`).toBe(0);
      const got = JSON.parse(out.slice(out.indexOf('RESULT') + 'RESULT'.length).split('\n')[0]!);
      expect(got.written).toBe(25);
      expect(got.none).toBe(0);
      expect(got.empty).toEqual([{ n: 0, total: 0 }]);
      expect(got.types.map((t: { column_name: string; data_type: string }) => `${t.column_name} ${t.data_type}`)).toEqual(
        ['active BOOLEAN', 'activity_date TIMESTAMP', 'brand VARCHAR', 'ggr_eur DOUBLE']);
      expect(got.result).toEqual([
        { brand: 'aurora', ggr_eur: 1.5 * (1 + 3 + 5 + 7 + 9 + 11 + 13 + 15 + 17 + 19 + 21 + 23), active: 4, last_day: '2026-11-24' },
        { brand: 'sakura', ggr_eur: 1.5 * (0 + 2 + 4 + 6 + 8 + 10 + 12 + 14 + 16 + 18 + 20 + 22 + 24), active: 5, last_day: '2026-11-25' },
      ]);
    }, 90_000);
  });
});
