import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './local-r2';
import { dirSource } from './dir';
import { parseListPage, s3ConfigFromEnv } from './r2-s3';

describe('the local lake config', () => {
  it('names the same bucket as the Worker, since local R2 state is keyed by bucket name', () => {
    const bucket = (toml: string) => /binding = "EVENT_LAKE"\s*\nbucket_name = "([^"]+)"/.exec(toml)?.[1];
    const worker = bucket(readFileSync(resolve(REPO_ROOT, 'wrangler.toml'), 'utf8'));
    expect(worker).toBeTruthy();
    expect(bucket(readFileSync(resolve(REPO_ROOT, 'warehouse', 'source', 'lake.wrangler.toml'), 'utf8'))).toBe(worker);
  });
});

describe('the S3 source', () => {
  it('reads a ListObjectsV2 page (keys unescaped, sizes, continuation)', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
      <Name>casino-events</Name><Prefix>events/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>
      <Contents><Key>events/date=2026-11-21/hour=10/1763719200001-a&amp;b.ndjson.gz</Key><Size>1234</Size><LastModified>2026-11-21T10:00:00.000Z</LastModified></Contents>
      <Contents><Key>events/date=2026-11-21/hour=10/1763719200002-c.ndjson.gz</Key><Size>99</Size></Contents>
      <NextContinuationToken>tok/en==</NextContinuationToken></ListBucketResult>`;
    expect(parseListPage(xml)).toEqual({
      objects: [{ key: 'events/date=2026-11-21/hour=10/1763719200001-a&b.ndjson.gz', size: 1234 }, { key: 'events/date=2026-11-21/hour=10/1763719200002-c.ndjson.gz', size: 99 }],
      next: 'tok/en==',
    });
    expect(parseListPage('<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>')).toEqual({ objects: [], next: undefined });
  });

  it('takes credentials from the environment only, and says which are missing', () => {
    expect(() => s3ConfigFromEnv({})).toThrow(/R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_ACCOUNT_ID/);
    expect(s3ConfigFromEnv({ R2_ACCOUNT_ID: 'acc', R2_ACCESS_KEY_ID: 'k', R2_SECRET_ACCESS_KEY: 's' })).toMatchObject({ endpoint: 'https://acc.r2.cloudflarestorage.com', bucket: 'casino-events', region: 'auto' });
  });
});

describe('the directory source', () => {
  it('lists keys under a prefix after a start key, in key order', async () => {
    const root = mkdtempSync(join(tmpdir(), 'wh-dir-'));
    try {
      for (const key of ['events/date=2026-11-21/hour=11/2.ndjson.gz', 'events/date=2026-11-21/hour=10/1.ndjson.gz', 'other/x', 'events/date=2026-11-20/hour=23/0.ndjson.gz']) {
        await mkdir(join(root, ...key.split('/').slice(0, -1)), { recursive: true });
        await writeFile(join(root, ...key.split('/')), key);
      }
      const src = dirSource(root);
      const list = async (after?: string) => { const out: string[] = []; for await (const o of src.list('events/', after)) out.push(o.key); return out; };
      expect(await list()).toEqual(['events/date=2026-11-20/hour=23/0.ndjson.gz', 'events/date=2026-11-21/hour=10/1.ndjson.gz', 'events/date=2026-11-21/hour=11/2.ndjson.gz']);
      expect(await list('events/date=2026-11-21/')).toEqual(['events/date=2026-11-21/hour=10/1.ndjson.gz', 'events/date=2026-11-21/hour=11/2.ndjson.gz']);
      expect(new TextDecoder().decode(await src.get('events/date=2026-11-21/hour=10/1.ndjson.gz'))).toBe('events/date=2026-11-21/hour=10/1.ndjson.gz');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
