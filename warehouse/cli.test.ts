/** The CLI's answers to bad input: a clear message, a non-zero exit, and nothing changed. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './source/local-r2';
import { status } from './status';
import { warehousePaths } from './config';

describe('wh CLI', () => {
  let root: string;
  const wh = (...args: string[]) => new Promise<{ code: number; out: string }>((done) => {
    execFile(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, 'warehouse', 'cli.ts'), ...args], { cwd: REPO_ROOT, env: { ...process.env, WAREHOUSE_DIR: join(root, 'wh') }, timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
  });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'wh-cli-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses unknown commands, sources and options with a usage message', async () => {
    expect(await wh('frobnicate')).toMatchObject({ code: 2, out: expect.stringMatching(/unknown command 'frobnicate'[\s\S]*usage: npm run wh/) });
    expect(await wh('sync', '--source', 'ftp')).toMatchObject({ code: 2, out: expect.stringContaining("unknown --source 'ftp' (local, s3 or dir:<path>)") });
    expect(await wh('sync', '--source', 'dir:/nonexistent', '--run-mb=-1')).toMatchObject({ code: 2, out: expect.stringContaining('--run-mb must be a positive number') });
    expect(await wh('sync', '--bogus')).toMatchObject({ code: 2, out: expect.stringMatching(/Unknown option '--bogus'[\s\S]*usage: npm run wh/) });
    expect(await wh('query')).toMatchObject({ code: 2, out: expect.stringContaining('query needs SQL') });
    const s3 = await wh('sync', '--source', 's3');
    expect(s3.code).toBe(1);
    expect(s3.out).toContain('s3 source: set R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_ACCOUNT_ID (or R2_ENDPOINT)');
  });

  it('runs queries read-only: a write is refused and changes nothing', async () => {
    expect((await wh('sync', '--source', `dir:${join(root, 'empty')}`)).code).toBe(0);
    const before = await status(warehousePaths(join(root, 'wh')));
    const drop = await wh('query', 'drop table raw.events');
    expect(drop.code).toBe(1);
    expect(drop.out).toMatch(/read-only/i);
    expect(await status(warehousePaths(join(root, 'wh')))).toEqual(before);
    const ok = await wh('query', 'select count(*) as n from raw.events');
    expect(ok).toMatchObject({ code: 0, out: expect.stringMatching(/n\s*\n-+\s*\n0/) });
  });
});
