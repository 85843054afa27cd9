import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson, documentFromJson } from './canonical';
import { dataDigest, deliver, deliveryFolder, listDeliveries, publishVersion, type DeliveryManifest, type RenderedFile } from './delivery';
import type { MoneyCell, ReportDocument } from './document';
import { SAMPLE_DOCUMENT } from './sample-document';
import { signBytes, signingKeyFromPem, type SigningKey } from './signing';
import { verifyDelivery } from './verify';

const newKey = (): SigningKey => signingKeyFromPem(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const signer = newKey();
const otherSigner = newKey();

/** Stand-ins for the renderers' output: distinct bytes per file and per document, so digests tell them apart. */
function rendered(doc: ReportDocument): RenderedFile[] {
  const rows = doc.sections.reduce((n, s) => n + s.rows.length, 0);
  const tag = createHash('sha256').update(canonicalJson(doc)).digest();
  return [
    { name: 'sample-2026-10-MT.pdf', bytes: Buffer.concat([Buffer.from('%PDF-1.7\n'), tag]), rows },
    { name: 'sample-2026-10-MT.xlsx', bytes: Buffer.concat([Buffer.from('PK\u0003\u0004'), tag, tag]), rows },
    { name: 'sample-2026-10-MT.csv', bytes: Buffer.from(`game_type,currency\n${tag.toString('hex')}\n`), rows },
  ];
}

const clone = (doc: ReportDocument): ReportDocument => documentFromJson(canonicalJson(doc));

/** The sample with other figures: one revenue row's stakes up by 1.00 EUR (and its totals), a player added, the missing day filled. */
function restated(): ReportDocument {
  const doc = clone(SAMPLE_DOCUMENT);
  doc.generated_at = '2026-11-20T06:00:00.000Z';
  doc.events_through = '2026-11-20T05:58:00.000Z';
  const revenue = doc.sections[0]!;
  (revenue.rows[0]![3] as MoneyCell).minor += 100n;
  (revenue.totals[0]!.cells[3] as MoneyCell).minor += 100n;
  doc.sections[1]!.rows.push(['p-9999', 'Ґанна Їжакевич', 'EUR', { minor: 500n, currency: 'EUR', exponent: 2 }, 0n, '2026-10-31']);
  doc.missing_days = [];
  return doc;
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'delivery-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const readManifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as DeliveryManifest;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const hasTool = (tool: string) => spawnSync('which', [tool]).status === 0;

describe('deliver', () => {
  it('writes v1 with the files, the canonical document, a manifest of their digests and its signature', async () => {
    const files = rendered(SAMPLE_DOCUMENT);
    const result = await deliver(root, { document: SAMPLE_DOCUMENT, files }, { signer });
    const dir = join(root, 'sample', '2026-10', 'MT', 'v1');
    expect(result).toMatchObject({ status: 'delivered', version: 1, dir });
    expect(readdirSync(dir).sort()).toEqual(['document.json', 'manifest.json', 'manifest.sig', ...files.map((f) => f.name)].sort());

    const m = readManifest(dir);
    expect(m).toMatchObject({
      report_id: 'sample',
      period: SAMPLE_DOCUMENT.params.period,
      parameters: { jurisdiction: 'MT' },
      version: 1,
      generated_at: SAMPLE_DOCUMENT.generated_at,
      events_through: SAMPLE_DOCUMENT.events_through,
      models: SAMPLE_DOCUMENT.models,
      missing_days: ['2026-10-14'],
      signing_key_id: signer.keyId,
    });
    expect(m.supersedes).toBeUndefined();
    for (const f of files) expect(m.files.find((e) => e.name === f.name)).toEqual({ name: f.name, size: f.bytes.length, sha256: sha256(f.bytes), rows: 124 });
    const docBytes = readFileSync(join(dir, 'document.json'));
    expect(m.files.find((e) => e.name === 'document.json')).toEqual({ name: 'document.json', size: docBytes.length, sha256: sha256(docBytes), rows: 124 });
    // The document reads back to exactly what was delivered, bigints included.
    expect(documentFromJson(docBytes.toString('utf8'))).toEqual(SAMPLE_DOCUMENT);
    expect(m.data_digest).toBe(dataDigest(SAMPLE_DOCUMENT));
  });

  it('signs the exact manifest bytes so that openssl verifies them with the public key alone', async () => {
    if (!hasTool('openssl')) return expect.fail('openssl is needed to check the signature with a client other than ours');
    const { dir } = await deliver(root, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    const pub = join(root, 'pub.pem');
    writeFileSync(pub, signer.publicKey.export({ type: 'spki', format: 'pem' }));
    const check = (inFile: string) => spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', inFile, '-sigfile', join(dir, 'manifest.sig')], { encoding: 'utf8' });
    expect(check(join(dir, 'manifest.json')).stdout).toContain('Signature Verified Successfully');
    const altered = join(root, 'altered.json');
    writeFileSync(altered, readFileSync(join(dir, 'manifest.json'), 'utf8').replace('"version": 1', '"version": 2'));
    expect(check(altered).status).not.toBe(0);
  });

  it('the data digest is the SHA-256 of the canonical document without its build-time fields, recomputable with jq', async () => {
    if (!hasTool('jq')) return expect.fail('jq is needed to recompute the digest outside our code');
    const { dir } = await deliver(root, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    const jq = spawnSync('jq', ['-cjS', 'del(.generated_at, .events_through) | .models |= map(del(.fresh_through))', join(dir, 'document.json')]);
    expect(jq.status).toBe(0);
    expect(sha256(jq.stdout)).toBe(readManifest(dir).data_digest);
  });

  it('a re-run on the same data writes nothing, even built later with fresher events', async () => {
    await deliver(root, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    const later = clone(SAMPLE_DOCUMENT);
    later.generated_at = '2026-11-09T06:00:00.000Z';
    later.events_through = '2026-11-09T05:59:00.000Z';
    later.models = later.models.map((m) => ({ ...m, fresh_through: '2026-11-09T05:00:00.000Z' }));
    const folder = join(root, 'sample', '2026-10', 'MT');
    const before = readFileSync(join(folder, 'v1', 'manifest.json'));
    // Renderer output may differ byte for byte (a PDF's creation date): the data decides.
    const result = await deliver(root, { document: later, files: rendered(later) }, { signer });
    expect(result).toEqual({ status: 'unchanged', version: 1, dir: join(folder, 'v1') });
    expect(readdirSync(folder)).toEqual(['v1']);
    expect(readFileSync(join(folder, 'v1', 'manifest.json'))).toEqual(before);
  });

  it('different figures become v2, superseding v1 with the changes stated, v1 left as it was', async () => {
    await deliver(root, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    const folder = join(root, 'sample', '2026-10', 'MT');
    const v1Manifest = readFileSync(join(folder, 'v1', 'manifest.json'));
    const doc = restated();
    const result = await deliver(root, { document: doc, files: rendered(doc) }, { signer });
    expect(result).toMatchObject({ status: 'delivered', version: 2, dir: join(folder, 'v2') });
    expect(readFileSync(join(folder, 'v1', 'manifest.json'))).toEqual(v1Manifest);

    const m = readManifest(join(folder, 'v2'));
    expect(m.version).toBe(2);
    expect(m.supersedes).toBe('v1');
    expect(m.data_digest).not.toBe(readManifest(join(folder, 'v1')).data_digest);
    const revenue = m.changes!.sections.find((s) => s.id === 'revenue')!;
    expect(revenue).toMatchObject({ status: 'changed', rows_added: 0, rows_removed: 0, rows_changed: 1 });
    expect(revenue.rows).toEqual([{ key: 'live_roulette | EUR', change: 'changed', cells: [{ column: 'Stakes', before: '12345.67 EUR', after: '12346.67 EUR' }] }]);
    expect(revenue.totals).toEqual([{ row: 'Total EUR', column: 'Stakes', before: '22222.21 EUR', after: '22223.21 EUR' }]);
    const players = m.changes!.sections.find((s) => s.id === 'players')!;
    expect(players).toMatchObject({ rows_added: 1, rows_removed: 0, rows_changed: 0 });
    expect(players.rows[0]).toMatchObject({ change: 'added', key: 'p-9999 | Ґанна Їжакевич | EUR | 2026-10-31' });
    expect(m.changes!.sections.map((s) => s.id)).toEqual(['revenue', 'players']); // the untouched section is not listed
    expect(m.changes!.missing_days).toEqual({ filled: ['2026-10-14'], new: [] });
    expect(m.changes!.summary).toBe('revenue: 1 row changed, totals: Total EUR Stakes 22222.21 EUR -> 22223.21 EUR; players: 1 row added; missing days now filled: 2026-10-14');

    // Back to v1's figures is a change too: v3, never a silent return to v1.
    const third = await deliver(root, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    expect(third).toMatchObject({ status: 'delivered', version: 3 });
    expect(readManifest(join(folder, 'v3')).changes!.summary).toContain('revenue: 1 row changed');
  });

  it('refuses to compare with a latest version whose document.json was edited since delivery', async () => {
    const { dir } = await deliver(root, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    const path = join(dir, 'document.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"1234567"', '"1234667"'));
    const doc = restated();
    await expect(deliver(root, { document: doc, files: rendered(doc) }, { signer })).rejects.toThrow(/v1 cannot be compared with \(its document.json does not match its manifest\)/);
    expect(readdirSync(join(root, 'sample', '2026-10', 'MT'))).toEqual(['v1']);
  });

  it('states a model version change even when no figure moved', async () => {
    await deliver(root, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    const doc = clone(SAMPLE_DOCUMENT);
    doc.models[0] = { ...doc.models[0]!, version: 'aaaa0000' };
    const r = await deliver(root, { document: doc, files: rendered(doc) }, { signer });
    expect(r.status === 'delivered' && r.manifest.changes!.summary).toBe('figures unchanged; model marts.rpt_gaming_revenue_monthly 3f2a9c1b -> aaaa0000');
  });

  it('folders by period and parameters; values that could climb out or collide are refused', async () => {
    const doc = clone(SAMPLE_DOCUMENT);
    doc.params = { ...doc.params, brand: 'acme', currency: 'EUR' };
    expect(deliveryFolder(root, doc)).toBe(join(root, 'sample', '2026-10', 'MT', 'acme', 'EUR'));
    for (const bad of ['../etc', 'v2', 'a/b', '']) {
      const d = clone(SAMPLE_DOCUMENT);
      d.params.jurisdiction = bad;
      await expect(deliver(root, { document: d, files: [] }, { signer })).rejects.toThrow(/cannot name a delivery folder/);
    }
    for (const name of ['../x.pdf', 'manifest.json', 'document.json', '.hidden']) await expect(deliver(root, { document: SAMPLE_DOCUMENT, files: [{ name, bytes: new Uint8Array(1), rows: null }] }, { signer })).rejects.toThrow();
    await expect(deliver(root, { document: SAMPLE_DOCUMENT, files: [{ name: 'a.csv', bytes: new Uint8Array(1), rows: 1 }, { name: 'a.csv', bytes: new Uint8Array(1), rows: 1 }] }, { signer })).rejects.toThrow(/twice/);
    expect(readdirSync(root)).toEqual([]);

    // A brand called MT and the jurisdiction MT map to one folder: the second is refused, not versioned over the first.
    await deliver(root, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    const byBrand = clone(SAMPLE_DOCUMENT);
    byBrand.params = { period: byBrand.params.period, brand: 'MT' };
    byBrand.sections[0]!.rows.pop();
    await expect(deliver(root, { document: byBrand, files: [] }, { signer })).rejects.toThrow(/holds deliveries of sample \{"jurisdiction":"MT"\}/);
  });

  it('a delivery that fails midway leaves no version and no temporary folder; a crash leftover is not a version', async () => {
    const files = rendered(SAMPLE_DOCUMENT);
    const folder = join(root, 'sample', '2026-10', 'MT');
    const failing = { name: 'broken.xlsx', get bytes(): Uint8Array { throw new Error('disk full'); } };
    // The first file is already in the temporary folder when the second one fails.
    expect(() => publishVersion(folder, 1, [{ name: files[0]!.name, bytes: files[0]!.bytes }, failing])).toThrow('disk full');
    expect(readdirSync(folder)).toEqual([]);
    // Another run that published v1 meanwhile is never overwritten.
    publishVersion(folder, 1, [{ name: 'a.csv', bytes: Buffer.from('first') }]);
    expect(() => publishVersion(folder, 1, [{ name: 'a.csv', bytes: Buffer.from('second') }])).toThrow(/delivered by another run meanwhile/);
    expect(readFileSync(join(folder, 'v1', 'a.csv'), 'utf8')).toBe('first');
    expect(readdirSync(folder)).toEqual(['v1']);
    rmSync(join(folder, 'v1'), { recursive: true });

    // What a kill -9 between write and rename leaves behind: ignored by deliver, verify and listing.
    mkdirSync(join(folder, '.v1.tmp-crashed'), { recursive: true });
    writeFileSync(join(folder, '.v1.tmp-crashed', files[0]!.name), 'half');
    expect(await deliver(root, { document: SAMPLE_DOCUMENT, files }, { signer })).toMatchObject({ status: 'delivered', version: 1 });
    expect(verifyDelivery(join(root, 'sample'), { publicKey: signer.publicKey }).ok).toBe(true);
    expect(listDeliveries(root)).toEqual([{ report_id: 'sample', period: '2026-10', parameters: ['MT'], folder, versions: [1] }]);
  });
});

describe('verifyDelivery', () => {
  /** v1 and v2 of the sample, as a report folder. */
  async function delivered() {
    await deliver(root, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer });
    const doc = restated();
    await deliver(root, { document: doc, files: rendered(doc) }, { signer });
    return { report: join(root, 'sample'), v1: join(root, 'sample', '2026-10', 'MT', 'v1'), v2: join(root, 'sample', '2026-10', 'MT', 'v2') };
  }
  const kinds = (dir: string, key = signer.publicKey) => verifyDelivery(dir, { publicKey: key }).problems.map((p) => `${p.kind} ${p.path}`);

  it('an untouched delivery verifies, as a report folder and as one version', async () => {
    const { report, v2 } = await delivered();
    const all = verifyDelivery(report, { publicKey: signer.publicKey });
    expect(all).toMatchObject({ ok: true, problems: [], trusted_key_id: signer.keyId });
    expect(all.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(verifyDelivery(v2, { publicKey: signer.publicKey }).ok).toBe(true);
  });

  it('catches one changed byte of a rendered file', async () => {
    const { report, v2 } = await delivered();
    const pdf = join(v2, 'sample-2026-10-MT.pdf');
    const bytes = readFileSync(pdf);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(pdf, bytes);
    expect(kinds(report)).toEqual(['file_changed 2026-10/MT/v2/sample-2026-10-MT.pdf']);
  });

  it('catches a changed manifest (a digest made to match an altered file)', async () => {
    const { v1 } = await delivered();
    const csv = join(v1, 'sample-2026-10-MT.csv');
    writeFileSync(csv, 'game_type,currency\nforged\n');
    const manifest = readManifest(v1);
    const entry = manifest.files.find((f) => f.name === 'sample-2026-10-MT.csv')!;
    entry.sha256 = sha256(readFileSync(csv));
    entry.size = readFileSync(csv).length;
    writeFileSync(join(v1, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    expect(kinds(v1)).toEqual(['bad_signature manifest.sig']);
  });

  it('catches a removed file and an added file', async () => {
    const { report, v1, v2 } = await delivered();
    rmSync(join(v1, 'sample-2026-10-MT.xlsx'));
    writeFileSync(join(v2, 'readme.txt'), 'added later');
    expect(kinds(report)).toEqual(['file_missing 2026-10/MT/v1/sample-2026-10-MT.xlsx', 'extra_file 2026-10/MT/v2/readme.txt']);
  });

  it('catches a manifest re-signed with another key, whether it names that key or still ours', async () => {
    const { v2 } = await delivered();
    const manifestPath = join(v2, 'manifest.json');
    // Signed by another key, the manifest still naming ours: the signature fails with the trusted key.
    writeFileSync(join(v2, 'manifest.sig'), signBytes(readFileSync(manifestPath), otherSigner));
    expect(kinds(v2)).toEqual(['bad_signature manifest.sig']);
    // Rewritten to name the other key and signed by it: still not trusted, and said so.
    const m = readManifest(v2);
    m.signing_key_id = otherSigner.keyId;
    writeFileSync(manifestPath, JSON.stringify(m, null, 2) + '\n');
    writeFileSync(join(v2, 'manifest.sig'), signBytes(readFileSync(manifestPath), otherSigner));
    expect(kinds(v2)).toEqual(['wrong_key manifest.sig']);
    // Verifying with the key the manifest names would pass: which is why the key comes from the verifier's configuration.
    expect(kinds(v2, otherSigner.publicKey)).toEqual([]);
  });

  it('a whole delivery by an untrusted signer fails against the trusted key', async () => {
    await deliver(root, { document: SAMPLE_DOCUMENT, files: rendered(SAMPLE_DOCUMENT) }, { signer: otherSigner });
    const result = verifyDelivery(join(root, 'sample'), { publicKey: signer.publicKey });
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.kind)).toEqual(['wrong_key']);
    expect(result.problems[0]!.detail).toContain(otherSigner.keyId);
  });

  it('catches a removed version and a renumbered one', async () => {
    const { report, v1, v2 } = await delivered();
    rmSync(v1, { recursive: true });
    renameSync(v2, join(root, 'sample', '2026-10', 'MT', 'v3'));
    expect(kinds(report).sort()).toEqual(['version_missing 2026-10/MT/v1', 'version_missing 2026-10/MT/v2', 'version_mismatch 2026-10/MT/v3', 'version_mismatch 2026-10/MT/v3/manifest.json'].sort());
  });

  it('a folder with no delivery, or a missing signature, is not verified', async () => {
    expect(verifyDelivery(join(root, 'nothing'), { publicKey: signer.publicKey }).ok).toBe(false);
    mkdirSync(join(root, 'empty'));
    expect(kinds(join(root, 'empty'))).toEqual(['no_delivery .']);
    const { v1 } = await delivered();
    rmSync(join(v1, 'manifest.sig'));
    expect(kinds(v1)).toEqual(['signature_missing manifest.sig']);
  });
});
