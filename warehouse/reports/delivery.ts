/**
 * Delivering a built report: its rendered files, the document they were rendered from, a manifest
 * of their SHA-256 digests and an Ed25519 signature over that manifest, into a numbered version
 * folder that is never overwritten:
 *
 *     <root>/<report_id>/<period>[/<jurisdiction>][/<brand>][/<currency>]/v<N>/
 *         <rendered files>  document.json  manifest.json  manifest.sig
 *
 * A period is never re-delivered silently. Building it again on the same data gives the same data
 * digest and writes nothing; building it on different data writes v<N+1>, whose manifest names the
 * version it supersedes and states what changed (changes.ts). A version appears whole or not at
 * all: in a folder it is written into a temporary folder beside it and renamed into place; under an
 * R2 prefix (r2-delivery.ts) its manifest.sig is written last and only a version with one counts.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from './canonical';
import { diffDocuments, type DeliveryChanges } from './changes';
import type { ModelVersion, Period, ReportDocument } from './document';
import { signBytes, type SigningKey } from './signing';

/** The manifest's format, so a verifier of a later layout can tell which rules a delivery follows. */
export const MANIFEST_FORMAT = 'report-delivery/1';
export const DOCUMENT_FILE = 'document.json';
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';
const RESERVED = new Set([DOCUMENT_FILE, MANIFEST_FILE, SIGNATURE_FILE]);

/** One rendered file handed to `deliver`. */
export interface RenderedFile {
  /** File name inside the version folder, e.g. `gaming_return-2026-10-MT.pdf`. */
  name: string;
  bytes: Uint8Array;
  /** Data rows the file holds (table rows over all sections), or null where it means nothing. */
  rows: number | null;
}

export interface ManifestFile {
  name: string;
  /** Size in bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string;
  rows: number | null;
}

export type ReportParameters = { jurisdiction?: string; brand?: string; currency?: string };

export interface DeliveryManifest {
  format: typeof MANIFEST_FORMAT;
  report_id: string;
  title: string;
  audience: string;
  period: Period;
  parameters: ReportParameters;
  version: number;
  generated_at: string;
  events_through: string;
  models: ModelVersion[];
  missing_days: string[];
  /** The rendered files, then document.json. */
  files: ManifestFile[];
  /** Hex SHA-256 of the document's canonical JSON without its build-time fields (see dataDigest). */
  data_digest: string;
  /** Which key signed manifest.sig (keyIdOf): for people; a verifier trusts only its own key. */
  signing_key_id: string;
  /** `v<N-1>` for every version after the first. */
  supersedes?: string;
  changes?: DeliveryChanges;
}

export type DeliveryResult =
  | { status: 'delivered'; version: number; dir: string; manifest: DeliveryManifest }
  | { status: 'unchanged'; version: number; dir: string };

/** Parameters that name a folder, in this order below the period. */
const PARAMETER_ORDER = ['jurisdiction', 'brand', 'currency'] as const;

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const VERSION_DIR = /^v([1-9][0-9]*)$/;

function segment(what: string, value: string): string {
  // A value becomes a folder name: nothing that climbs out of the root or looks like a version.
  if (!SAFE_SEGMENT.test(value) || value.includes('..') || VERSION_DIR.test(value)) throw new Error(`${what} '${value}' cannot name a delivery folder (letters, digits, _ . - only, not v<N>)`);
  return value;
}

export function reportParameters(doc: ReportDocument): ReportParameters {
  const out: ReportParameters = {};
  for (const p of PARAMETER_ORDER) if (doc.params[p] !== undefined) out[p] = doc.params[p];
  return out;
}

/** `[report_id, period, ...parameters]`: the segments naming a period's folder below a target's root. */
export function folderSegments(doc: Pick<ReportDocument, 'report_id' | 'params'>): string[] {
  if (!/^\d{4}-\d{2}(-\d{2})?$/.test(doc.params.period.label)) throw new Error(`period label '${doc.params.period.label}' is not YYYY-MM or YYYY-MM-DD`);
  const parts = [segment('report id', doc.report_id), doc.params.period.label];
  for (const p of PARAMETER_ORDER) {
    const v = doc.params[p];
    if (v !== undefined) parts.push(segment(p, v));
  }
  return parts;
}

/** `<root>/<report_id>/<period>[/<jurisdiction>][/<brand>][/<currency>]`: the folder holding a period's versions. */
export function deliveryFolder(root: string, doc: Pick<ReportDocument, 'report_id' | 'params'>): string {
  return join(root, ...folderSegments(doc));
}

/** Version numbers delivered in a period folder, ascending (temporary folders of an unfinished delivery are not versions). */
export function deliveredVersions(folder: string): number[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.isDirectory() && VERSION_DIR.test(e.name))
    .map((e) => Number(VERSION_DIR.exec(e.name)![1]))
    .sort((a, b) => a - b);
}

/**
 * The SHA-256 a re-run on the same data reproduces: the canonical document without the fields that
 * say when it was built rather than what it says (generated_at, events_through, each model's
 * fresh_through). Those move on every run while the warehouse keeps syncing, even when the period's
 * figures cannot change any more; model versions stay in, since other code is other evidence.
 */
export function dataDigest(doc: ReportDocument): string {
  const { generated_at: _g, events_through: _e, models, ...rest } = doc;
  const stable = { ...rest, models: models.map(({ fresh_through: _f, ...m }) => m) };
  return sha256Hex(Buffer.from(canonicalJson(stable), 'utf8'));
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function checkFiles(files: RenderedFile[]) {
  const seen = new Set<string>();
  for (const f of files) {
    if (!SAFE_SEGMENT.test(f.name) || f.name.includes('..')) throw new Error(`file name '${f.name}' is not a plain file name`);
    if (RESERVED.has(f.name)) throw new Error(`file name '${f.name}' is reserved for the delivery itself`);
    if (seen.has(f.name)) throw new Error(`file '${f.name}' is given twice`);
    if (f.rows !== null && !(Number.isSafeInteger(f.rows) && f.rows >= 0)) throw new Error(`file '${f.name}': rows must be a count or null`);
    seen.add(f.name);
  }
}

/** Writes and flushes a file, so that the rename below publishes bytes that are on disk. */
function writeDurably(path: string, bytes: Uint8Array) {
  const fd = openSync(path, 'wx', 0o644);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string) {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface DeliverOptions {
  signer: SigningKey;
}

/** One file of a version as a target publishes it. */
export interface PublishEntry {
  name: string;
  bytes: Uint8Array;
}

/** A period folder that holds delivered versions. */
export interface DeliveryListing {
  report_id: string;
  period: string;
  parameters: string[];
  /** Where it is, as people see it: a path, or an r2:// address. */
  folder: string;
  versions: number[];
}

/**
 * Where deliveries go: a local folder (localFolderTarget) or a prefix of an R2 bucket
 * (r2-delivery.ts). A folder is named by its segments below the target's root
 * (`[report_id, period, ...parameters]`); `deliver` decides the version and its contents, a target
 * only stores it. Every target keeps the same promise: a version is delivered whole or not at all,
 * and a delivered version is never overwritten.
 */
export interface DeliveryTarget {
  /** A folder, or a version folder with `version`, as people see it: a path or an r2:// address. */
  location(folder: string[], version?: number): string;
  /** The delivered versions of a period folder, ascending (an unfinished write is not one). */
  versions(folder: string[]): Promise<number[]>;
  /** A file of a delivered version, undefined if it is not there. */
  read(folder: string[], version: number, name: string): Promise<Uint8Array | undefined>;
  /** Publishes `v<version>` with these files; fails, never overwrites, when another run delivered it first. Returns its location. */
  publish(folder: string[], version: number, entries: PublishEntry[]): Promise<string>;
  /** Every period folder holding versions (only `reportId`'s when given). */
  deliveries(reportId?: string): Promise<DeliveryListing[]>;
}

/** The local delivery folder: versions are folders made whole by an atomic rename (publishVersion). */
export function localFolderTarget(root: string): DeliveryTarget {
  const at = (folder: string[], version?: number) => join(root, ...folder, ...(version === undefined ? [] : [`v${version}`]));
  return {
    location: at,
    versions: async (folder) => deliveredVersions(at(folder)),
    read: async (folder, version, name) => {
      const p = join(at(folder, version), name);
      return existsSync(p) ? readFileSync(p) : undefined;
    },
    publish: async (folder, version, entries) => publishVersion(at(folder), version, entries),
    deliveries: async (reportId) => listDeliveries(root, reportId),
  };
}

/** A target as given: a local folder path stands for localFolderTarget. */
export const asTarget = (target: DeliveryTarget | string): DeliveryTarget => (typeof target === 'string' ? localFolderTarget(target) : target);

/**
 * Delivers `document` and its rendered `files` to `target` (a folder path, or any DeliveryTarget).
 * Returns `unchanged` (writing nothing) when the latest version holds the same data digest, else
 * writes the next version. The numbering, the comparison with the previous version and the
 * manifest are decided here once for every target.
 */
export async function deliver(target: DeliveryTarget | string, input: { document: ReportDocument; files: RenderedFile[] }, options: DeliverOptions): Promise<DeliveryResult> {
  const to = asTarget(target);
  const { document, files } = input;
  checkFiles(files);
  const folder = folderSegments(document);
  const versions = await to.versions(folder);
  const latest = versions.at(-1) ?? 0;
  const digest = dataDigest(document);
  const docText = canonicalJson(document, 2) + '\n';

  let changes: DeliveryChanges | undefined;
  if (latest > 0) {
    const latestDir = to.location(folder, latest);
    const prevBytes = await to.read(folder, latest, DOCUMENT_FILE);
    if (!prevBytes) throw new Error(`${latestDir} has no ${DOCUMENT_FILE}: the folder was altered by hand; run \`wh export verify\` on it before delivering again`);
    // Compare with what was delivered, not with a file edited since: its digest must match its manifest.
    let prev: ReportDocument;
    try {
      const manifestBytes = await to.read(folder, latest, MANIFEST_FILE);
      if (!manifestBytes) throw new Error(`it has no ${MANIFEST_FILE}`);
      const listed = (JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as DeliveryManifest).files.find((f) => f.name === DOCUMENT_FILE);
      if (listed?.sha256 !== sha256Hex(prevBytes)) throw new Error(`its ${DOCUMENT_FILE} does not match its manifest`);
      prev = JSON.parse(Buffer.from(prevBytes).toString('utf8')) as ReportDocument;
    } catch (err) {
      throw new Error(`${latestDir} cannot be compared with (${(err as Error).message}); run \`wh export verify\` on it before delivering again`);
    }
    // Two parameter sets can map to one folder only if values collide (a brand named like a
    // jurisdiction); never version one report over another's delivery.
    if (canonicalJson(reportParameters(prev)) !== canonicalJson(reportParameters(document)) || prev.report_id !== document.report_id)
      throw new Error(`${to.location(folder)} holds deliveries of ${prev.report_id} ${canonicalJson(reportParameters(prev))}, not ${document.report_id} ${canonicalJson(reportParameters(document))}`);
    if (dataDigest(prev) === digest) return { status: 'unchanged', version: latest, dir: latestDir };
    changes = diffDocuments(prev, JSON.parse(docText) as ReportDocument);
  }

  const version = latest + 1;
  const docBytes = Buffer.from(docText, 'utf8');
  const totalRows = document.sections.reduce((n, s) => n + s.rows.length, 0);
  const manifest: DeliveryManifest = {
    format: MANIFEST_FORMAT,
    report_id: document.report_id,
    title: document.title,
    audience: document.audience,
    period: document.params.period,
    parameters: reportParameters(document),
    version,
    generated_at: document.generated_at,
    events_through: document.events_through,
    models: document.models,
    missing_days: document.missing_days,
    files: [...files.map((f) => ({ name: f.name, size: f.bytes.length, sha256: sha256Hex(f.bytes), rows: f.rows })), { name: DOCUMENT_FILE, size: docBytes.length, sha256: sha256Hex(docBytes), rows: totalRows }],
    data_digest: digest,
    signing_key_id: options.signer.keyId,
    ...(latest > 0 ? { supersedes: `v${latest}`, changes } : {}),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
  const signature = signBytes(manifestBytes, options.signer);

  // In the order an object store writes them: document.json first (the name every run of this
  // version writes, so two runs collide on it at once), the signature last (its presence is what
  // makes the version delivered there). A folder target writes them all before one rename.
  const dir = await to.publish(folder, version, [
    { name: DOCUMENT_FILE, bytes: docBytes },
    ...files.map((f) => ({ name: f.name, bytes: f.bytes })),
    { name: MANIFEST_FILE, bytes: manifestBytes },
    { name: SIGNATURE_FILE, bytes: signature },
  ]);
  return { status: 'delivered', version, dir, manifest };
}

/**
 * Writes `v<version>` in `folder` whole or not at all: every file into a temporary folder beside it
 * (same file system, so the rename is atomic; a dot name is never taken for a version), flushed,
 * then renamed into place. A failure removes the temporary folder; a crash may leave one behind,
 * which nothing reads and which can be deleted.
 */
export function publishVersion(folder: string, version: number, entries: PublishEntry[]): string {
  mkdirSync(folder, { recursive: true });
  const tmp = mkdtempSync(join(folder, `.v${version}.tmp-`));
  const target = join(folder, `v${version}`);
  try {
    for (const e of entries) writeDurably(join(tmp, e.name), e.bytes);
    fsyncDir(tmp);
    try {
      // rename(2) onto an existing non-empty folder fails: a concurrent delivery of the same version loses, it never overwrites.
      renameSync(tmp, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTEMPTY') throw new Error(`${target} was delivered by another run meanwhile; run again to compare with it`);
      throw err;
    }
    fsyncDir(folder);
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { recursive: true, force: true });
  }
  return target;
}

/** Every period folder under `root` (optionally one report's) with its delivered versions. */
export function listDeliveries(root: string, reportId?: string): DeliveryListing[] {
  const out: DeliveryListing[] = [];
  const reports = reportId ? [reportId] : existsSync(root) ? readdirSync(root).filter((n) => !n.startsWith('.')) : [];
  const walk = (dir: string, rel: string[]) => {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
    const versions = deliveredVersions(dir);
    if (versions.length && rel.length >= 2) out.push({ report_id: rel[0]!, period: rel[1]!, parameters: rel.slice(2), folder: dir, versions });
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory() && !e.name.startsWith('.') && !VERSION_DIR.test(e.name)) walk(join(dir, e.name), [...rel, e.name]);
  };
  for (const r of reports) walk(join(root, r), [r]);
  return out.sort((a, b) => a.folder.localeCompare(b.folder));
}
