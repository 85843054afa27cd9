/**
 * Ed25519 signatures over a delivery's manifest.json (node:crypto, no dependency).
 *
 * The signature covers the exact bytes of manifest.json and is stored raw (64 bytes) in
 * manifest.sig, so a recipient can check it without our code:
 *     openssl pkeyutl -verify -pubin -inkey reports-signing-key.pub.pem -rawin -in manifest.json -sigfile manifest.sig
 *
 * Keys come from configuration, never from a delivery: the signer's private key from
 * REPORTS_SIGNING_KEY (PKCS#8 PEM) or REPORTS_SIGNING_KEY_FILE (a path to one); a verifier's
 * trusted public key from REPORTS_VERIFY_KEY / REPORTS_VERIFY_KEY_FILE (SPKI PEM), or derived from
 * the configured signing key when the verifier is the signer. The key id a manifest carries is a
 * label for people (which key signed this?); trust never follows it.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** First 16 hex digits of SHA-256 over the raw 32-byte public key. */
  keyId: string;
}

/** Where `ensureDemoSigningKey` keeps the demo key pair inside its directory. */
export const DEMO_KEY_FILE = 'reports-signing-key.pem';
export const DEMO_PUBLIC_KEY_FILE = 'reports-signing-key.pub.pem';

/** The 32 raw bytes of an Ed25519 public key (the JWK `x`), what the key id hashes. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error(`expected an Ed25519 key, got ${publicKey.asymmetricKeyType ?? publicKey.type}`);
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url');
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);
}

/** Env values often carry a PEM on one line with literal `\n`: accept both forms. */
const pemText = (text: string) => text.replace(/\\n/g, '\n').trim() + '\n';

/** A signing key from PKCS#8 PEM text; refuses anything but Ed25519. */
export function signingKeyFromPem(pem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pemText(pem), format: 'pem' });
  } catch (err) {
    throw new Error(`reports signing key is not a PKCS#8 PEM private key: ${(err as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`reports signing key must be Ed25519, got ${privateKey.asymmetricKeyType}`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** A trusted public key from SPKI PEM text (a private key PEM is accepted too: its public half is taken). */
export function publicKeyFromPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pemText(pem), format: 'pem' });
  } catch (err) {
    throw new Error(`reports verify key is not a PEM public key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`reports verify key must be Ed25519, got ${key.asymmetricKeyType}`);
  return key;
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

type Env = Record<string, string | undefined>;

/** One of VAR or VAR_FILE, never both (which one wins would be a guess). */
function pemFromEnv(env: Env, name: string): { pem: string; from: string } | null {
  const inline = env[name];
  const file = env[`${name}_FILE`];
  if (inline && file) throw new Error(`set ${name} or ${name}_FILE, not both`);
  if (inline) return { pem: inline, from: name };
  if (file) {
    try {
      return { pem: readFileSync(file, 'utf8'), from: `${name}_FILE (${file})` };
    } catch (err) {
      throw new Error(`${name}_FILE: cannot read ${file}: ${(err as Error).message}`);
    }
  }
  return null;
}

/** The configured signing key (REPORTS_SIGNING_KEY or REPORTS_SIGNING_KEY_FILE), or null when neither is set. */
export function configuredSigningKey(env: Env = process.env): SigningKey | null {
  const found = pemFromEnv(env, 'REPORTS_SIGNING_KEY');
  if (!found) return null;
  try {
    return signingKeyFromPem(found.pem);
  } catch (err) {
    throw new Error(`${found.from}: ${(err as Error).message}`);
  }
}

/**
 * The key to sign with: the configured one, else (only when `demoDir` is given, as `npm start`
 * does on a machine with no secret configured) the demo key there, created on first use. `source`
 * says which, so a run can print it: a regulator's delivery signed with a demo key is a mistake
 * someone should see.
 */
export function resolveSigningKey(env: Env = process.env, demoDir?: string): { key: SigningKey; source: string } {
  const configured = configuredSigningKey(env);
  if (configured) return { key: configured, source: env.REPORTS_SIGNING_KEY ? 'REPORTS_SIGNING_KEY' : `REPORTS_SIGNING_KEY_FILE (${env.REPORTS_SIGNING_KEY_FILE})` };
  if (demoDir) {
    const demo = ensureDemoSigningKey(demoDir);
    return { key: demo.key, source: `demo key ${demo.path}${demo.created ? ' (created now)' : ''}` };
  }
  throw new Error('no reports signing key: set REPORTS_SIGNING_KEY (PKCS#8 PEM of an Ed25519 key) or REPORTS_SIGNING_KEY_FILE; create one with `openssl genpkey -algorithm ed25519`');
}

/**
 * The public key a verifier trusts: REPORTS_VERIFY_KEY / REPORTS_VERIFY_KEY_FILE, else the public
 * half of the configured signing key, else (when `demoDir` is given) the demo key `npm start`
 * created there. Throws when none is configured: a verify without a trusted key proves nothing.
 */
export function trustedPublicKey(env: Env = process.env, demoDir?: string): KeyObject {
  const verifyPem = pemFromEnv(env, 'REPORTS_VERIFY_KEY');
  if (verifyPem) {
    try {
      return publicKeyFromPem(verifyPem.pem);
    } catch (err) {
      throw new Error(`${verifyPem.from}: ${(err as Error).message}`);
    }
  }
  const signing = configuredSigningKey(env);
  if (signing) return signing.publicKey;
  if (demoDir && existsSync(join(demoDir, DEMO_KEY_FILE))) return signingKeyFromPem(readFileSync(join(demoDir, DEMO_KEY_FILE), 'utf8')).publicKey;
  throw new Error('no trusted key to verify with: set REPORTS_VERIFY_KEY or REPORTS_VERIFY_KEY_FILE (SPKI PEM), or REPORTS_SIGNING_KEY(_FILE)');
}

/**
 * A demo signing key for a machine with none configured (`npm start` on a laptop): created once in
 * `dir` as PKCS#8 PEM with mode 0600, its public half beside it for verifiers. Production keys do
 * NOT come from here: they live in a secret store (a wrangler/Vault/KMS secret) and reach the
 * process as REPORTS_SIGNING_KEY, so the private key is never a file on a shared disk.
 */
export function ensureDemoSigningKey(dir: string): { key: SigningKey; path: string; publicKeyPath: string; created: boolean } {
  const path = join(dir, DEMO_KEY_FILE);
  const publicKeyPath = join(dir, DEMO_PUBLIC_KEY_FILE);
  let created = false;
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    // `wx`: two processes starting at once must not overwrite each other's key; mode applies at creation.
    try {
      writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  // A umask cannot widen 0600, but an existing file may have been copied in with looser bits.
  chmodSync(path, 0o600);
  const key = signingKeyFromPem(readFileSync(path, 'utf8'));
  writeFileSync(publicKeyPath, publicKeyPem(key.publicKey), { mode: 0o644 });
  return { key, path, publicKeyPath, created };
}

/** The raw 64-byte Ed25519 signature over exactly these bytes. */
export function signBytes(bytes: Uint8Array, key: SigningKey): Buffer {
  return sign(null, bytes, key.privateKey);
}

export function verifyBytes(bytes: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  try {
    return verify(null, bytes, publicKey, signature);
  } catch {
    return false; // a signature of the wrong length is simply not valid
  }
}
