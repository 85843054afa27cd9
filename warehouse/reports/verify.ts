/**
 * Checking a delivery (`wh export verify <dir>`): every file's size and SHA-256 against the
 * manifest, nothing missing and nothing extra, and the manifest's signature against a public key
 * the verifier trusts from its own configuration. The key id written in the manifest is only
 * compared with it (to say "signed with another key"); it is never used to find a key, since
 * whoever altered a delivery could sign it with a key of their own and name that one.
 * checkVersion works on a version's contents however they were read: verifyDelivery reads a
 * folder, verifyR2Delivery (r2-delivery.ts) the objects under an R2 prefix.
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { DOCUMENT_FILE, MANIFEST_FILE, MANIFEST_FORMAT, SIGNATURE_FILE, sha256Hex, type DeliveryManifest } from './delivery';
import { keyIdOf, verifyBytes } from './signing';

export type ProblemKind =
  | 'file_changed' // size or SHA-256 differs from the manifest
  | 'file_missing'
  | 'extra_file' // in the folder, not in the manifest
  | 'bad_signature' // manifest.sig does not verify with the trusted key
  | 'wrong_key' // the manifest says another key signed it
  | 'manifest_missing'
  | 'manifest_invalid'
  | 'signature_missing'
  | 'version_mismatch' // manifest's version or supersedes disagrees with the folder
  | 'version_missing' // a gap in v1..vN: a delivered version was removed
  | 'incomplete_version' // R2: objects under v<N> without manifest.sig (a run that did not finish, or a removed signature)
  | 'no_delivery';

export interface Problem {
  kind: ProblemKind;
  /** The file or folder concerned, relative to the folder given to verifyDelivery. */
  path: string;
  detail: string;
}

export interface VersionCheck {
  dir: string;
  version: number | null;
  ok: boolean;
  problems: Problem[];
}

export interface VerifyResult {
  ok: boolean;
  trusted_key_id: string;
  versions: VersionCheck[];
  /** Every problem, the versions' included. */
  problems: Problem[];
}

export const VERSION_DIR = /^v([1-9][0-9]*)$/;
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** What checkVersion needs of one version, wherever it is stored. */
export interface VersionContents {
  /** The version as people see it (a path or an r2:// address). */
  dir: string;
  /** The number its folder name says. */
  version: number;
  /** Everything inside it; `folder` for anything that is not a plain file. */
  entries: { name: string; folder: boolean }[];
  /** A file's bytes, undefined if there is no such file. */
  read(name: string): Uint8Array | undefined;
  /** A name inside it as a problem's path (relative to what was given to verify). */
  at(name: string): string;
}

/** `dir` is one version folder (v<N>) or any folder above versions (a report, a period): every version under it is checked. */
export function verifyDelivery(dir: string, options: { publicKey: KeyObject }): VerifyResult {
  const trusted = keyIdOf(options.publicKey);
  const problems: Problem[] = [];
  const versions: VersionCheck[] = [];
  const rel = (p: string) => relative(dir, p) || '.';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    problems.push({ kind: 'no_delivery', path: dir, detail: 'no such folder' });
    return { ok: false, trusted_key_id: trusted, versions, problems };
  }
  const local = (d: string): VersionContents => ({
    dir: d,
    version: Number(VERSION_DIR.exec(basename(d))![1]),
    entries: readdirSync(d, { withFileTypes: true }).map((e) => ({ name: e.name, folder: !e.isFile() })),
    read: (name) => {
      const p = join(d, name);
      return existsSync(p) && statSync(p).isFile() ? readFileSync(p) : undefined;
    },
    at: (name) => rel(join(d, name)),
  });
  if (VERSION_DIR.test(basename(dir))) versions.push(checkVersion(local(dir), options.publicKey, trusted));
  else {
    const walk = (d: string) => {
      const names = readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
      const numbers = names.filter((e) => VERSION_DIR.test(e.name)).map((e) => Number(VERSION_DIR.exec(e.name)![1])).sort((a, b) => a - b);
      for (const n of numbers) versions.push(checkVersion(local(join(d, `v${n}`)), options.publicKey, trusted));
      problems.push(...versionGaps(numbers, (n) => rel(join(d, `v${n}`))));
      for (const e of names) if (!VERSION_DIR.test(e.name)) walk(join(d, e.name));
    };
    walk(dir);
    if (versions.length === 0) problems.push({ kind: 'no_delivery', path: '.', detail: 'no v<N> version folder under it' });
  }
  for (const v of versions) problems.push(...v.problems);
  return { ok: problems.length === 0, trusted_key_id: trusted, versions, problems };
}

/** Versions are numbered from 1 without gaps: a gap is a delivered version someone removed. */
export function versionGaps(numbers: number[], at: (n: number) => string): Problem[] {
  const last = numbers.at(-1) ?? 0;
  const out: Problem[] = [];
  for (let n = 1; n < last; n++) if (!numbers.includes(n)) out.push({ kind: 'version_missing', path: at(n), detail: `v${n} is missing below v${last}` });
  return out;
}

/** One version's manifest, signature and files, wherever they are stored (a folder here, an R2 prefix in r2-delivery.ts). */
export function checkVersion(v: VersionContents, publicKey: KeyObject, trustedId: string): VersionCheck {
  const problems: Problem[] = [];
  const { at } = v;
  const folderVersion = v.version;
  const done = (version: number | null): VersionCheck => ({ dir: v.dir, version, ok: problems.length === 0, problems });

  const manifestBytes = v.read(MANIFEST_FILE);
  if (!manifestBytes) {
    problems.push({ kind: 'manifest_missing', path: at(MANIFEST_FILE), detail: 'no manifest: nothing in this folder can be checked' });
    return done(null);
  }
  // The signature first: it covers the manifest's exact bytes, so every later check rests on it.
  const sig = v.read(SIGNATURE_FILE);
  if (!sig) problems.push({ kind: 'signature_missing', path: at(SIGNATURE_FILE), detail: 'no signature over the manifest' });
  const signed = sig !== undefined && verifyBytes(manifestBytes, sig, publicKey);

  let manifest: DeliveryManifest;
  try {
    manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as DeliveryManifest;
    if (manifest.format !== MANIFEST_FORMAT || !Array.isArray(manifest.files)) throw new Error(`not a ${MANIFEST_FORMAT} manifest`);
  } catch (err) {
    problems.push({ kind: 'manifest_invalid', path: at(MANIFEST_FILE), detail: (err as Error).message });
    if (sig && !signed) problems.push({ kind: 'bad_signature', path: at(SIGNATURE_FILE), detail: `does not verify with the trusted key ${trustedId}` });
    return done(null);
  }

  if (sig && !signed) {
    if (manifest.signing_key_id !== trustedId)
      problems.push({ kind: 'wrong_key', path: at(SIGNATURE_FILE), detail: `signed with key ${manifest.signing_key_id ?? '(none named)'}, the trusted key is ${trustedId}; the signature does not verify with the trusted key` });
    else problems.push({ kind: 'bad_signature', path: at(SIGNATURE_FILE), detail: `the manifest or its signature was altered: it does not verify with the trusted key ${trustedId}` });
  } else if (signed && manifest.signing_key_id !== trustedId) {
    // Verifies with our key yet names another: the manifest was signed that way by our own key, so only a label is off.
    problems.push({ kind: 'wrong_key', path: at(MANIFEST_FILE), detail: `names key ${manifest.signing_key_id}, but the trusted key ${trustedId} signed it` });
  }

  if (manifest.version !== folderVersion) problems.push({ kind: 'version_mismatch', path: at('.'), detail: `the manifest is version ${manifest.version}, the folder says v${folderVersion}` });
  const expectSupersedes = folderVersion > 1 ? `v${folderVersion - 1}` : undefined;
  if (manifest.supersedes !== expectSupersedes) problems.push({ kind: 'version_mismatch', path: at(MANIFEST_FILE), detail: `supersedes ${manifest.supersedes ?? 'nothing'}, expected ${expectSupersedes ?? 'nothing'}` });

  const listed = new Set<string>();
  for (const f of manifest.files) {
    // A manifest is read before trusting it (its signature may have failed): no path may leave the folder.
    if (typeof f?.name !== 'string' || !PLAIN_NAME.test(f.name) || f.name.includes('..')) {
      problems.push({ kind: 'manifest_invalid', path: at(MANIFEST_FILE), detail: `file entry ${JSON.stringify(f?.name)} is not a plain file name` });
      continue;
    }
    listed.add(f.name);
    const bytes = v.read(f.name);
    if (!bytes) {
      problems.push({ kind: 'file_missing', path: at(f.name), detail: `listed in the manifest (${f.size} bytes), not in the folder` });
      continue;
    }
    const sha = sha256Hex(bytes);
    if (bytes.length !== f.size || sha !== f.sha256)
      problems.push({ kind: 'file_changed', path: at(f.name), detail: `${bytes.length} bytes sha256 ${sha.slice(0, 16)}…, the manifest says ${f.size} bytes sha256 ${String(f.sha256).slice(0, 16)}…` });
  }
  if (!listed.has(DOCUMENT_FILE)) problems.push({ kind: 'manifest_invalid', path: at(MANIFEST_FILE), detail: `does not list ${DOCUMENT_FILE}` });
  for (const e of v.entries) {
    if (e.name === MANIFEST_FILE || e.name === SIGNATURE_FILE || listed.has(e.name)) continue;
    problems.push({ kind: 'extra_file', path: at(e.name), detail: `${e.folder ? 'a folder' : 'a file'} the manifest does not list` });
  }
  return done(manifest.version);
}

/** The result as lines for the CLI: one per version, then one per problem. */
export function formatVerify(result: VerifyResult): string {
  const lines = result.versions.map((v) => `${v.ok ? 'ok  ' : 'FAIL'} ${v.dir}`);
  for (const p of result.problems) lines.push(`  ${p.kind.padEnd(17)} ${p.path}: ${p.detail}`);
  lines.push(result.ok ? `verified ${result.versions.length} version(s) with trusted key ${result.trusted_key_id}` : `${result.problems.length} problem(s); trusted key ${result.trusted_key_id}`);
  return lines.join('\n');
}
