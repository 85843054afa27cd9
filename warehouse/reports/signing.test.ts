import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configuredSigningKey, resolveSigningKey, DEMO_KEY_FILE, ensureDemoSigningKey, keyIdOf, publicKeyPem, signBytes, trustedPublicKey, verifyBytes } from './signing';

const pkcs8 = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'signing-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('signing keys from configuration', () => {
  it('reads REPORTS_SIGNING_KEY as PEM, also with literal \\n as env files write it', () => {
    const pem = pkcs8();
    const a = configuredSigningKey({ REPORTS_SIGNING_KEY: pem })!;
    const b = configuredSigningKey({ REPORTS_SIGNING_KEY: pem.trim().replace(/\n/g, '\\n') })!;
    expect(b.keyId).toBe(a.keyId);
    expect(verifyBytes(Buffer.from('m'), signBytes(Buffer.from('m'), a), b.publicKey)).toBe(true);
  });

  it('reads REPORTS_SIGNING_KEY_FILE; refuses both set, a non-Ed25519 key and a missing file', () => {
    const path = join(dir, 'k.pem');
    writeFileSync(path, pkcs8());
    expect(configuredSigningKey({ REPORTS_SIGNING_KEY_FILE: path })!.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(() => configuredSigningKey({ REPORTS_SIGNING_KEY: pkcs8(), REPORTS_SIGNING_KEY_FILE: path })).toThrow('not both');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => configuredSigningKey({ REPORTS_SIGNING_KEY: ec })).toThrow(/REPORTS_SIGNING_KEY: .*must be Ed25519, got ec/);
    expect(() => configuredSigningKey({ REPORTS_SIGNING_KEY_FILE: join(dir, 'none.pem') })).toThrow(/cannot read/);
    expect(configuredSigningKey({})).toBeNull();
  });

  it('the key id is the first 16 hex of SHA-256 over the raw 32-byte public key', () => {
    const key = configuredSigningKey({ REPORTS_SIGNING_KEY: pkcs8() })!;
    // The raw key is the last 32 bytes of its SPKI DER (a fixed 12-byte Ed25519 prefix before it).
    const der = key.publicKey.export({ type: 'spki', format: 'der' });
    expect(der).toHaveLength(44);
    expect(key.keyId).toBe(createHash('sha256').update(der.subarray(12)).digest('hex').slice(0, 16));
    expect(keyIdOf(key.publicKey)).toBe(key.keyId);
  });

  it('the trusted key: REPORTS_VERIFY_KEY first, else the signing key\'s public half, else none (an error)', () => {
    const signing = configuredSigningKey({ REPORTS_SIGNING_KEY: pkcs8() })!;
    const other = configuredSigningKey({ REPORTS_SIGNING_KEY: pkcs8() })!;
    const env = { REPORTS_SIGNING_KEY: signing.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
    expect(keyIdOf(trustedPublicKey(env))).toBe(signing.keyId);
    expect(keyIdOf(trustedPublicKey({ ...env, REPORTS_VERIFY_KEY: publicKeyPem(other.publicKey) }))).toBe(other.keyId);
    const path = join(dir, 'pub.pem');
    writeFileSync(path, publicKeyPem(other.publicKey));
    expect(keyIdOf(trustedPublicKey({ REPORTS_VERIFY_KEY_FILE: path }))).toBe(other.keyId);
    expect(() => trustedPublicKey({})).toThrow(/no trusted key/);
    expect(() => trustedPublicKey({}, dir)).toThrow(/no trusted key/); // a demo dir without a demo key
  });
});

describe('ensureDemoSigningKey', () => {
  it('creates a 0600 key once, keeps it, publishes its public half, and tightens a loosened mode', () => {
    const first = ensureDemoSigningKey(join(dir, 'data'));
    expect(first.created).toBe(true);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.publicKeyPath, 'utf8')).toBe(publicKeyPem(first.key.publicKey));
    chmodSync(first.path, 0o644);
    const again = ensureDemoSigningKey(join(dir, 'data'));
    expect(again).toMatchObject({ created: false, path: first.path });
    expect(again.key.keyId).toBe(first.key.keyId);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    // A verifier on the same machine finds it when nothing else is configured.
    expect(keyIdOf(trustedPublicKey({}, join(dir, 'data')))).toBe(first.key.keyId);
    expect(first.path).toBe(join(dir, 'data', DEMO_KEY_FILE));
  });

  it('is used only when no key is configured and a demo dir is given; otherwise signing without a key is an error', () => {
    const pem = pkcs8();
    const configured = resolveSigningKey({ REPORTS_SIGNING_KEY: pem }, join(dir, 'demo'));
    expect(configured.source).toBe('REPORTS_SIGNING_KEY');
    expect(statSync(dir).isDirectory() && readdirSync(dir)).toEqual([]); // no demo key made beside a configured one
    expect(resolveSigningKey({}, join(dir, 'demo')).source).toBe(`demo key ${join(dir, 'demo', DEMO_KEY_FILE)} (created now)`);
    expect(() => resolveSigningKey({})).toThrow(/no reports signing key/);
  });
});
