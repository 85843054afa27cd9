/**
 * Delivering reports under a prefix of an R2 bucket (`r2://<bucket>/<prefix>`), through its S3 API:
 * the same layout as a delivery folder, one object per file,
 *
 *     <prefix>/<report_id>/<period>[/<jurisdiction>][/<brand>][/<currency>]/v<N>/<file>
 *
 * An object store has no rename, so a version cannot appear whole at once. Instead it counts as
 * delivered only once its `manifest.sig` exists, and that object is written last:
 *
 *  1. the version's keys are listed; a manifest.sig there means another run delivered it: stop;
 *  2. document.json, then each rendered file, then manifest.json are put, each with a condition
 *     (`If-None-Match: *` where the listing saw no object, `If-Match: <its etag>` where it saw the
 *     leftover of an unfinished run): a run that finds a key changed since its listing (another run
 *     writing the same version) stops at once instead of mixing its files with the other's;
 *  3. leftovers of an unfinished run that this version does not hold are deleted;
 *  4. manifest.sig is put with `If-None-Match: *`: of two runs only one can deliver v<N>.
 *
 * A crash before step 4 leaves objects without a manifest.sig: not a version for listing,
 * numbering or comparison; the next run writes that version over them (step 2's If-Match).
 * `wh export verify` reports such leftovers as incomplete_version (verifyR2Delivery).
 */
import type { KeyObject } from 'node:crypto';
import { SIGNATURE_FILE, type DeliveryListing, type DeliveryTarget } from './delivery';
import { PreconditionFailed, type ObjectStore, type PutCondition } from './object-store';
import { keyIdOf } from './signing';
import { checkVersion, versionGaps, VERSION_DIR, type Problem, type VersionCheck, type VersionContents, type VerifyResult } from './verify';

/** `r2://<bucket>[/<prefix>]` split; undefined when the text is not such an address. */
export function parseR2Address(address: string): { bucket: string; prefix: string } | undefined {
  const m = /^r2:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(address);
  if (!m) return undefined;
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((s) => s === '.' || s === '..')) return undefined;
  return { bucket: m[1]!, prefix };
}

export function r2PrefixTarget(store: ObjectStore, prefix: string): DeliveryTarget {
  const root = prefix.replace(/^\/+|\/+$/g, '');
  const key = (...segments: string[]) => [root, ...segments].filter((s) => s !== '').join('/');
  const address = (k: string) => `${store.name}/${k}`;
  const versionKey = (folder: string[], version: number) => key(...folder, `v${version}`);

  return {
    location: (folder, version) => address(version === undefined ? key(...folder) : versionKey(folder, version)),

    async versions(folder) {
      const base = key(...folder) + '/';
      const out: number[] = [];
      for (const o of await store.list(base)) {
        // Only a manifest.sig makes a version: files without one are a run that did not finish.
        const m = /^v([1-9][0-9]*)\/manifest\.sig$/.exec(o.key.slice(base.length));
        if (m) out.push(Number(m[1]));
      }
      return out.sort((a, b) => a - b);
    },

    read: (folder, version, name) => store.get(`${versionKey(folder, version)}/${name}`),

    async publish(folder, version, entries) {
      const base = versionKey(folder, version);
      const there = new Map((await store.list(base + '/')).map((o) => [o.key, o.etag]));
      const taken = () => new Error(`${address(base)} was delivered by another run meanwhile; run again to compare with it`);
      if (there.has(`${base}/${SIGNATURE_FILE}`)) throw taken();
      const last = entries.at(-1);
      if (last?.name !== SIGNATURE_FILE) throw new Error(`an R2 version must end with ${SIGNATURE_FILE}, which makes it delivered`);
      try {
        for (const e of entries.slice(0, -1)) {
          const k = `${base}/${e.name}`;
          const etag = there.get(k);
          const condition: PutCondition = etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag };
          await store.put(k, e.bytes, condition);
          there.delete(k);
        }
        // What is left was written by an unfinished run and is not part of this version.
        for (const k of there.keys()) await store.delete(k);
      } catch (err) {
        if (err instanceof PreconditionFailed) throw new Error(`${address(base)} is being written by another run (${err.key} changed since this run looked); run again once it is done`);
        throw err;
      }
      try {
        await store.put(`${base}/${SIGNATURE_FILE}`, last.bytes, { ifNoneMatch: '*' });
      } catch (err) {
        if (err instanceof PreconditionFailed) throw taken();
        throw err;
      }
      return address(base);
    },

    async deliveries(reportId) {
      const rootSlash = root ? `${root}/` : '';
      const byFolder = new Map<string, DeliveryListing>();
      for (const o of await store.list(rootSlash + (reportId ? `${reportId}/` : ''))) {
        const rel = o.key.slice(rootSlash.length).split('/');
        // [report, period, ...parameters, v<N>, manifest.sig]
        if (rel.length < 4 || rel.at(-1) !== SIGNATURE_FILE || !VERSION_DIR.test(rel.at(-2)!)) continue;
        const folder = rel.slice(0, -2);
        const at = address(key(...folder));
        const entry = byFolder.get(at) ?? { report_id: folder[0]!, period: folder[1]!, parameters: folder.slice(2), folder: at, versions: [] };
        entry.versions.push(Number(VERSION_DIR.exec(rel.at(-2)!)![1]));
        byFolder.set(at, entry);
      }
      for (const e of byFolder.values()) e.versions.sort((a, b) => a - b);
      return [...byFolder.values()].sort((a, b) => a.folder.localeCompare(b.folder));
    },
  };
}

/**
 * `wh export verify r2://<bucket>/<prefix>`: the checks of verifyDelivery (verify.ts, one code path)
 * on the objects under a prefix, which is one version (`.../v<N>`) or anything above versions.
 * Objects under a v<N> without its manifest.sig are not a delivered version: each such v<N> is one
 * incomplete_version problem (a run that did not finish, which the next run replaces, or a
 * signature someone removed; from here the two look alike, so it is never passed as fine).
 */
export async function verifyR2Delivery(store: ObjectStore, prefix: string, options: { publicKey: KeyObject }): Promise<VerifyResult> {
  const trusted = keyIdOf(options.publicKey);
  const root = prefix.replace(/^\/+|\/+$/g, '');
  const rootSegs = root ? root.split('/') : [];
  const rootSlash = root ? `${root}/` : '';
  const address = (k: string) => `${store.name}/${k}`;
  const rel = (segs: string[]) => segs.join('/') || '.';
  const problems: Problem[] = [];
  const versions: VersionCheck[] = [];

  // Group the objects by version: [...folder, v<N>] then a name inside it.
  const byVersion = new Map<string, { folder: string[]; version: number; objects: Map<string, string>; folders: Set<string> }>();
  const givenIsVersion = rootSegs.length > 0 && VERSION_DIR.test(rootSegs.at(-1)!);
  for (const o of await store.list(rootSlash)) {
    const segs = o.key.slice(rootSlash.length).split('/');
    // Below a given version everything is inside it; else the first v<N> segment with something under it.
    const i = givenIsVersion ? -1 : segs.findIndex((s, j) => j < segs.length - 1 && VERSION_DIR.test(s));
    if (!givenIsVersion && i < 0) continue;
    const folder = givenIsVersion ? [] : segs.slice(0, i);
    const version = Number(VERSION_DIR.exec(givenIsVersion ? rootSegs.at(-1)! : segs[i]!)![1]);
    const inside = segs.slice(i + 1);
    const id = [...folder, `v${version}`].join('/');
    const v = byVersion.get(id) ?? { folder, version, objects: new Map(), folders: new Set() };
    if (inside.length === 1) v.objects.set(inside[0]!, o.key);
    else v.folders.add(inside[0]!);
    byVersion.set(id, v);
  }

  const numbersByFolder = new Map<string, { folder: string[]; numbers: number[] }>();
  for (const v of [...byVersion.values()].sort((a, b) => a.folder.join('/').localeCompare(b.folder.join('/')) || a.version - b.version)) {
    const versionRel = givenIsVersion ? [] : [...v.folder, `v${v.version}`];
    if (!v.objects.has(SIGNATURE_FILE)) {
      problems.push({ kind: 'incomplete_version', path: rel(versionRel), detail: `${v.objects.size} object(s) without ${SIGNATURE_FILE}: not delivered (an unfinished run, which the next run replaces, or a removed signature)` });
      continue;
    }
    const bytes = new Map<string, Uint8Array>();
    for (const [name, k] of v.objects) {
      const b = await store.get(k);
      if (b) bytes.set(name, b);
    }
    const versionKey = givenIsVersion ? root : [...rootSegs, ...v.folder, `v${v.version}`].join('/');
    const contents: VersionContents = {
      dir: address(versionKey),
      version: v.version,
      entries: [...[...bytes.keys()].map((name) => ({ name, folder: false })), ...[...v.folders].map((name) => ({ name, folder: true }))],
      read: (name) => bytes.get(name),
      at: (name) => rel(name === '.' ? versionRel : [...versionRel, name]),
    };
    versions.push(checkVersion(contents, options.publicKey, trusted));
    const f = numbersByFolder.get(v.folder.join('/')) ?? { folder: v.folder, numbers: [] };
    f.numbers.push(v.version);
    numbersByFolder.set(v.folder.join('/'), f);
  }
  if (!givenIsVersion) for (const { folder, numbers } of numbersByFolder.values()) problems.push(...versionGaps(numbers, (n) => rel([...folder, `v${n}`])));
  if (byVersion.size === 0) problems.push({ kind: 'no_delivery', path: address(root), detail: 'no v<N> version under it' });
  for (const v of versions) problems.push(...v.problems);
  return { ok: problems.length === 0, trusted_key_id: trusted, versions, problems };
}
