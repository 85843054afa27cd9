/**
 * The deployed sites' layout: files over the static-assets limit (duckdb-wasm) leave the site for R2,
 * anything else over it is refused (the Worker could not serve it).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript (scripts/dashboards-deploy-build.mjs), untyped
import { ASSET_FILE_LIMIT, moveLargeFiles } from './dashboards-deploy-build.mjs';

describe('moveLargeFiles', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('moves immutable .wasm files over the limit out of the site, keeps the rest', () => {
    dir = mkdtempSync(join(tmpdir(), 'dash-deploy-'));
    const site = join(dir, 'site');
    mkdirSync(join(site, '_app', 'immutable', 'assets'), { recursive: true });
    writeFileSync(join(site, '_app', 'immutable', 'assets', 'duckdb-eh.abc123.wasm'), Buffer.alloc(2048));
    writeFileSync(join(site, '_app', 'immutable', 'assets', 'small.wasm'), Buffer.alloc(10));
    writeFileSync(join(site, 'index.html'), Buffer.alloc(100));
    expect(moveLargeFiles(site, join(dir, 'large'), 1024)).toEqual(['duckdb-eh.abc123.wasm']);
    expect(existsSync(join(dir, 'large', 'duckdb-eh.abc123.wasm'))).toBe(true);
    expect(existsSync(join(site, '_app', 'immutable', 'assets', 'duckdb-eh.abc123.wasm'))).toBe(false);
    expect(existsSync(join(site, '_app', 'immutable', 'assets', 'small.wasm'))).toBe(true);
    expect(ASSET_FILE_LIMIT).toBe(25 * 1024 * 1024);
  });

  it('refuses a large file the Worker could not serve from R2', () => {
    dir = mkdtempSync(join(tmpdir(), 'dash-deploy-'));
    const site = join(dir, 'site');
    mkdirSync(join(site, 'data'), { recursive: true });
    writeFileSync(join(site, 'data', 'huge.parquet'), Buffer.alloc(2048));
    expect(() => moveLargeFiles(site, join(dir, 'large'), 1024)).toThrow(/huge\.parquet is over 25 MiB/);
  });
});
