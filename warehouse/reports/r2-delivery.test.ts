/**
 * Delivering to an R2 prefix, against a real S3 implementation as source/r2-s3.test.ts does
 * (s3rver, in-process on loopback; R2 itself cannot be reached from here). s3rver 3.7 ignores the
 * conditional headers of PutObject that R2 honours (`If-None-Match: *`, `If-Match: <etag>`), so
 * `withConditionalPuts` adds exactly those in front of its router, one put at a time per key as a
 * store does; the first test shows it answers 412 like R2, so the conflict tests below rest on it.
 */
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../source/local-r2';
import { canonicalJson, documentFromJson } from './canonical';
import { deliveryTarget } from './command';
import { loadReports } from './definition';
import { deliver, type DeliveryManifest, type DeliveryTarget, type RenderedFile } from './delivery';
import type { MoneyCell, ReportDocument } from './document';
import { PreconditionFailed, s3ObjectStore, type ObjectStore } from './object-store';
import { parseR2Address, r2PrefixTarget, verifyR2Delivery } from './r2-delivery';
import { SAMPLE_DOCUMENT } from './sample-document';
import { duePeriods } from './schedule';
import { reportsLoop } from './scheduled';
import { parameterSets } from './export';
import { publicKeyPem, signingKeyFromPem, type SigningKey } from './signing';

const newKey = (): SigningKey => signingKeyFromPem(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const signer = newKey();
const otherSigner = newKey();
const BUCKET = 'casino-reports';

type Koa = { middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[] };
type KoaContext = { method: string; path: string; querystring: string; status: number; type: string; body: unknown; get(h: string): string };
type Server = Koa & { run(): Promise<{ port: number }>; close(): Promise<void>; store: { getMetadata(bucket: string, key: string): Promise<{ etag: string }> } };

/** R2's conditional PutObject on top of s3rver: 412 PreconditionFailed when the key's state is not what the header asks. */
function withConditionalPuts(server: Server) {
  const queue = new Map<string, Promise<void>>();
  server.middleware.unshift(async (ctx, next) => {
    const noneMatch = ctx.get('if-none-match');
    const match = ctx.get('if-match');
    if (ctx.method !== 'PUT' || ctx.querystring || (!noneMatch && !match)) return next();
    const [, bucket, ...rest] = ctx.path.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    // Check and write as one step per key, as the store does: a second put waits for the first.
    const before = queue.get(`${bucket}/${key}`) ?? Promise.resolve();
    let release!: () => void;
    queue.set(`${bucket}/${key}`, before.then(() => new Promise<void>((r) => (release = r))));
    await before;
    try {
      const current = await server.store.getMetadata(bucket!, key).catch(() => undefined);
      if ((noneMatch === '*' && current) || (match && current?.etag !== match)) {
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
        return;
      }
      await next();
    } finally {
      release();
    }
  });
}

/** Stand-ins for the renderers' output (as in delivery.test.ts): distinct bytes per document. */
function rendered(doc: ReportDocument): RenderedFile[] {
  const rows = doc.sections.reduce((n, s) => n + s.rows.length, 0);
  const tag = createHash('sha256').update(canonicalJson(doc)).digest();
  return [
    { name: 'sample-2026-10-MT.pdf', bytes: Buffer.concat([Buffer.from('%PDF-1.7\n'), tag]), rows },
    { name: 'sample-2026-10-MT.csv', bytes: Buffer.from(`game_type,currency\n${tag.toString('hex')}\n`), rows },
  ];
}
const clone = (doc: ReportDocument): ReportDocument => documentFromJson(canonicalJson(doc));
/** The sample with one stake up by 1.00 EUR. */
function restated(): ReportDocument {
  const doc = clone(SAMPLE_DOCUMENT);
  (doc.sections[0]!.rows[0]![3] as MoneyCell).minor += 100n;
  (doc.sections[0]!.totals[0]!.cells[3] as MoneyCell).minor += 100n;
  return doc;
}

/** The store with every put it is asked for written down (the calls go on to s3rver unchanged). */
function recorded(store: ObjectStore, puts: string[], beforePut?: (key: string) => Promise<void>): ObjectStore {
  return {
    ...store,
    name: store.name,
    async put(key, bytes, condition) {
      await beforePut?.(key);
      puts.push(`${key.split('/').slice(-2).join('/')} ${condition ? Object.entries(condition)[0]![0] : 'plain'}`);
      return store.put(key, bytes, condition);
    },
  };
}

describe('report delivery to an R2 prefix (s3rver)', () => {
  let dir: string;
  let server: Server;
  let endpoint: string;
  let store: ObjectStore;
  let prefix: string;
  let n = 0;
  const V = (v: number) => `${prefix}/sample/2026-10/MT/v${v}`;
  const keys = async (under: string) => (await store.list(`${under}/`)).map((o) => o.key.slice(under.length + 1));
  const kinds = async (p = prefix, key = signer.publicKey) => (await verifyR2Delivery(store, p, { publicKey: key })).problems.map((x) => `${x.kind} ${x.path}`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'r2-delivery-'));
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: BUCKET }] }) as Server;
    withConditionalPuts(server);
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
    store = s3ObjectStore({ endpoint, bucket: BUCKET, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // A prefix of its own per test: one bucket, no state shared between tests.
  beforeEach(() => {
    prefix = `prod/reports-${++n}`;
  });

  it('the server answers conditional puts as R2 does (what the conflict tests rely on)', async () => {
    await store.put(`${prefix}/k`, Buffer.from('a'), { ifNoneMatch: '*' });
    await expect(store.put(`${prefix}/k`, Buffer.from('b'), { ifNoneMatch: '*' })).rejects.toBeInstanceOf(PreconditionFailed);
    const etag = (await store.list(`${prefix}/k`))[0]!.etag;
    await expect(store.put(`${prefix}/k`, Buffer.from('c'), { ifMatch: '"0000"' })).rejects.toBeInstanceOf(PreconditionFailed);
    await store.put(`${prefix}/k`, Buffer.from('d'), { ifMatch: etag! });
    expect(Buffer.from((await store.get(`${prefix}/k`))!).toString()).toBe('d');
    expect(await store.get(`${prefix}/missing`)).toBeUndefined();
  });

  it('delivers v1 under the prefix (the same bytes as a folder delivery), manifest.sig last; verify passes', async () => {
    const puts: string[] = [];
    const target = r2PrefixTarget(recorded(store, puts), prefix);
    const files = rendered(SAMPLE_DOCUMENT);
    const result = await deliver(target, { document: SAMPLE_DOCUMENT, files }, { signer });
    expect(result).toMatchObject({ status: 'delivered', version: 1, dir: `r2://${BUCKET}/${V(1)}` });
    expect((await keys(V(1))).sort()).toEqual(['document.json', 'manifest.json', 'manifest.sig', ...files.map((f) => f.name)].sort());
    // document.json claims the version, manifest.sig makes it delivered: first and last, each conditional.
    expect(puts).toEqual(['v1/document.json ifNoneMatch', 'v1/sample-2026-10-MT.pdf ifNoneMatch', 'v1/sample-2026-10-MT.csv ifNoneMatch', 'v1/manifest.json ifNoneMatch', 'v1/manifest.sig ifNoneMatch']);

    // One code path: a folder delivery of the same document holds byte-identical files.
    const local = join(dir, `local-${n}`);
    const folder = (await deliver(local, { document: SAMPLE_DOCUMENT, files }, { signer })).dir;
    for (const name of readdirSync(folder)) expect(Buffer.from((await store.get(`${V(1)}/${name}`))!)).toEqual(readFileSync(join(folder, name)));

    expect(await kinds()).toEqual([]);
    const one = await verifyR2Delivery(store, V(1), { publicKey: signer.publicKey });
    expect(one).toMatchObject({ ok: true, versions: [{ dir: `r2://${BUCKET}/${V(1)}`, version: 1, ok: true }] });
    expect(await target.deliveries()).toEqual([{ report_id: 'sample', period: '2026-10', parameters: ['MT'], folder: `r2://${BUCKET}/${prefix}/sample/2026-10/MT`, versions: [1] }]);
    expect(await target.deliveries('other')).toEqual([]);
    expect((await verifyR2Delivery(store, `${prefix}/nothing`, { publicKey: signer.publicKey })).problems.map((p) => p.kind)).toEqual(['no_delivery']);
  });

  it('a re-run on the same data writes nothing; different data writes v2 with the changes stated', async () => {
    const target = r2PrefixTarget(store, prefix);
    await deliver(target, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    const v1 = await store.list(`${V(1)}/`);

    const puts: string[] = [];
    const later = clone(SAMPLE_DOCUMENT);
    later.generated_at = '2026-11-09T06:00:00.000Z';
    expect(await deliver(r2PrefixTarget(recorded(store, puts), prefix), { document: later, files: rendered(later) }, { signer })).toEqual({ status: 'unchanged', version: 1, dir: `r2://${BUCKET}/${V(1)}` });
    expect(puts).toEqual([]);

    const doc = restated();
    const result = await deliver(target, { document: doc, files: rendered(doc) }, { signer });
    expect(result).toMatchObject({ status: 'delivered', version: 2, dir: `r2://${BUCKET}/${V(2)}` });
    const m = JSON.parse(Buffer.from((await store.get(`${V(2)}/manifest.json`))!).toString()) as DeliveryManifest;
    expect(m).toMatchObject({ version: 2, supersedes: 'v1' });
    expect(m.changes!.summary).toContain('revenue: 1 row changed');
    expect(await store.list(`${V(1)}/`)).toEqual(v1); // v1 untouched, etags included
    expect((await target.deliveries('sample'))[0]!.versions).toEqual([1, 2]);
    expect(await kinds()).toEqual([]);
  });

  it('an unfinished version (objects without manifest.sig) is not a version: ignored, reported by verify, then replaced whole', async () => {
    const target = r2PrefixTarget(store, prefix);
    await deliver(target, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    // What a run killed before its signature leaves: half a document, a file of another format set, a manifest.
    await store.put(`${V(2)}/document.json`, Buffer.from('{"half'));
    await store.put(`${V(2)}/sample-2026-10-MT.xlsx`, Buffer.from('PK stale'));
    await store.put(`${V(2)}/manifest.json`, Buffer.from('{}'));

    expect(await target.versions(['sample', '2026-10', 'MT'])).toEqual([1]);
    expect((await target.deliveries())[0]!.versions).toEqual([1]);
    const result = await verifyR2Delivery(store, prefix, { publicKey: signer.publicKey });
    expect(result.problems.map((p) => `${p.kind} ${p.path}`)).toEqual(['incomplete_version sample/2026-10/MT/v2']);
    expect(result.versions).toMatchObject([{ version: 1, ok: true }]); // the delivered version still checks out
    // Same figures: v1 stands, nothing is compared with the leftover.
    expect(await deliver(target, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer })).toMatchObject({ status: 'unchanged', version: 1 });

    const puts: string[] = [];
    const doc = restated();
    expect(await deliver(r2PrefixTarget(recorded(store, puts), prefix), { document: doc, files: rendered(doc) }, { signer })).toMatchObject({ status: 'delivered', version: 2 });
    // The leftovers it saw are replaced only if unchanged since (If-Match); the stale file is gone.
    expect(puts).toEqual(['v2/document.json ifMatch', 'v2/sample-2026-10-MT.pdf ifNoneMatch', 'v2/sample-2026-10-MT.csv ifNoneMatch', 'v2/manifest.json ifMatch', 'v2/manifest.sig ifNoneMatch']);
    expect((await keys(V(2))).sort()).toEqual(['document.json', 'manifest.json', 'manifest.sig', 'sample-2026-10-MT.csv', 'sample-2026-10-MT.pdf']);
    expect(await kinds()).toEqual([]);
  });

  it('two runs delivering one version: one wins, the other fails clearly and writes nothing over it', async () => {
    const target = r2PrefixTarget(store, prefix);
    const a = clone(SAMPLE_DOCUMENT);
    const b = restated();
    const results = await Promise.allSettled([deliver(target, { document: a, files: rendered(a) }, { signer }), deliver(target, { document: b, files: rendered(b) }, { signer })]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(String(lost[0]!.reason)).toMatch(/sample\/2026-10\/MT\/v1 (is being written by another run|was delivered by another run meanwhile)/);
    expect(await kinds()).toEqual([]); // the winner's version is whole: no file of the loser in it
  });

  it('a signature put by another run between the check and the last put: If-None-Match refuses to overwrite it', async () => {
    const rival = clone(SAMPLE_DOCUMENT);
    let raced = false;
    // Just before this run writes manifest.sig, another run's manifest.sig for v1 lands.
    const target = r2PrefixTarget(recorded(store, [], async (key) => {
      if (key.endsWith('/manifest.sig') && !raced) {
        raced = true;
        await store.put(key, Buffer.from('the other run'));
      }
    }), prefix);
    await expect(deliver(target, { document: rival, files: rendered(rival) }, { signer })).rejects.toThrow(`r2://${BUCKET}/${V(1)} was delivered by another run meanwhile; run again to compare with it`);
    expect(Buffer.from((await store.get(`${V(1)}/manifest.sig`))!).toString()).toBe('the other run');
    // And the check before writing: with a manifest.sig there, publishing that version again stops at once.
    await expect(r2PrefixTarget(store, prefix).publish(['sample', '2026-10', 'MT'], 1, [{ name: 'manifest.sig', bytes: Buffer.from('x') }])).rejects.toThrow(/was delivered by another run meanwhile/);
  });

  it('verify catches tampering: a changed byte, an added object, a foreign signature, a removed signature', async () => {
    const target = r2PrefixTarget(store, prefix);
    await deliver(target, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    const doc = restated();
    await deliver(target, { document: doc, files: rendered(doc) }, { signer });
    expect(await kinds()).toEqual([]);

    const pdf = `${V(1)}/sample-2026-10-MT.pdf`;
    const original = (await store.get(pdf))!;
    const altered = Buffer.from(original);
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 1;
    await store.put(pdf, altered);
    await store.put(`${V(1)}/notes.txt`, Buffer.from('added later'));
    expect(await kinds()).toEqual(['file_changed sample/2026-10/MT/v1/sample-2026-10-MT.pdf', 'extra_file sample/2026-10/MT/v1/notes.txt']);
    expect(await kinds(V(1))).toEqual(['file_changed sample-2026-10-MT.pdf', 'extra_file notes.txt']);
    expect(await kinds(V(2))).toEqual([]);

    // v2's manifest re-signed by another key: does not verify with ours.
    const m2 = (await store.get(`${V(2)}/manifest.json`))!;
    const { signBytes } = await import('./signing');
    await store.put(`${V(2)}/manifest.sig`, signBytes(m2, otherSigner));
    expect(await kinds(V(2))).toEqual(['bad_signature manifest.sig']);
    expect(await kinds(V(2), otherSigner.publicKey)).toEqual(['wrong_key manifest.json']);

    // v1's signature removed: no longer a delivered version, and its absence below v2 shows.
    await store.delete(`${V(1)}/manifest.sig`);
    expect(await kinds()).toEqual(['incomplete_version sample/2026-10/MT/v1', 'version_missing sample/2026-10/MT/v1', 'bad_signature sample/2026-10/MT/v2/manifest.sig']);
  });

  it('the loop of npm start reads what is delivered under the prefix: a delivered period is not built again, a missing one is', async () => {
    const defs = await loadReports(join(REPO_ROOT, 'models', 'reports'));
    const at = Date.parse('2026-12-02T08:00:00Z');
    // A manifest.sig for the latest due period of every report and parameter set: all delivered.
    const sigs: string[] = [];
    for (const def of defs) {
      const period = duePeriods(def.schedule, def.period, at)[0]!.period.label;
      for (const values of parameterSets(def, {}, true)) sigs.push([prefix, def.id, period, values.jurisdiction, values.brand, values.currency, 'v1', 'manifest.sig'].filter(Boolean).join('/'));
    }
    for (const k of sigs) await store.put(k, Buffer.from('sig'));
    const lines: string[] = [];
    const loop = reportsLoop({ project: join(REPO_ROOT, 'models', 'reports'), root: r2PrefixTarget(store, prefix), demoKeyDir: join(dir, 'keys'), log: (l) => lines.push(l), everyMs: 0 });
    // No warehouse connection: any report the loop tried to build would fail and say so.
    await loop.cycle(null as never, at);
    expect(lines).toEqual([]);
    const gamingMT = sigs.find((k) => k.includes('/gaming_return/') && k.includes('/MT/'))!;
    await store.delete(gamingMT);
    await loop.cycle(null as never, at);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^reports: gaming_return\/2026-11\/MT failed/);
  });

  it('`wh export verify r2://…` and REPORTS_DIR=r2://… reach the prefix with the R2_* settings', async () => {
    const env = { R2_ENDPOINT: endpoint, R2_ACCESS_KEY_ID: 'S3RVER', R2_SECRET_ACCESS_KEY: 'S3RVER' };
    expect(parseR2Address(`r2://${BUCKET}/${prefix}/`)).toEqual({ bucket: BUCKET, prefix });
    expect(parseR2Address('r2://casino-reports/../x')).toBeUndefined();
    // The configured target is the R2 prefix: a delivery through it lands in that bucket.
    const target: DeliveryTarget = deliveryTarget(undefined, { ...env, REPORTS_DIR: `r2://${BUCKET}/${prefix}` });
    expect(target.location(['sample'])).toBe(`r2://${BUCKET}/${prefix}/sample`);
    await deliver(target, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    expect(() => deliveryTarget(`r2://${BUCKET}/x`, {})).toThrow(/set R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_ACCOUNT_ID \(or R2_ENDPOINT\)/);

    const cli = (address: string) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'warehouse', 'cli.ts'), 'export', 'verify', address], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env, REPORTS_VERIFY_KEY: publicKeyPem(signer.publicKey), WAREHOUSE_DIR: join(dir, 'wh') },
      }).then((r) => ({ code: 0, out: r.stdout }), (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }));
    const ok = await cli(`r2://${BUCKET}/${prefix}`);
    expect(ok.out).toContain(`ok   r2://${BUCKET}/${V(1)}`);
    expect(ok.code).toBe(0);
    await store.put(`${V(1)}/document.json`, Buffer.from('{}'));
    const bad = await cli(`r2://${BUCKET}/${prefix}/sample`);
    expect(bad.out).toContain('file_changed');
    expect(bad.code).toBe(1);
  }, 180_000); // two CLI processes: ~10 s each on a loaded 2-core machine
});
