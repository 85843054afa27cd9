/**
 * HMAC-signed requests between our own parts and partners: the caller sends
 *
 *   X-Timestamp: <unix seconds>
 *   X-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<action>.<raw body>")>
 *
 * <action> binds the signature to one operation (a signed body of one route cannot be replayed on
 * another), the timestamp bounds replays to a window (5 minutes from the receiver's clock), and the
 * verification is over the raw bytes, before any parsing, with a constant-time comparison
 * (WebCrypto verify). Platform-free: the Worker verifies, the warehouse (Node 22, WebCrypto) signs.
 * Used by the provider seamless-wallet API (worker/provider/signature.ts) and the segments publish
 * route (worker/routes/internal.ts).
 */

export const SIGNATURE_WINDOW_MS = 5 * 60_000;

export type SignatureVerdict = 'ok' | 'invalid_signature' | 'request_expired';

const encoder = new TextEncoder();
/** Imported keys per secret (a handful): importKey once per isolate, not per request. */
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let k = keys.get(secret);
  if (!k) {
    k = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, k);
  }
  return k;
}

/** The signed bytes: "<timestamp>.<action>." followed by the body exactly as sent. */
function signedBytes(timestamp: string, action: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const head = encoder.encode(`${timestamp}.${action}.`);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesOf(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body;
}

/** Headers for a request signed for `action`. */
export async function signRequest(secret: string, action: string, body: string | Uint8Array, nowMs = Date.now()): Promise<{ 'X-Timestamp': string; 'X-Signature': string }> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), signedBytes(timestamp, action, bytesOf(body)));
  return { 'X-Timestamp': timestamp, 'X-Signature': `sha256=${toHex(new Uint8Array(mac))}` };
}

/** Signature first (invalid_signature), then freshness (request_expired): only a genuine request learns it is late. */
export async function verifyRequest(
  secret: string, action: string, body: string | Uint8Array,
  headers: { timestamp: string | undefined; signature: string | undefined }, nowMs = Date.now(),
): Promise<SignatureVerdict> {
  const ts = headers.timestamp?.trim() ?? '';
  const sig = /^sha256=([0-9a-f]{64})$/.exec(headers.signature?.trim() ?? '');
  // 13 digits let a request signed with a millisecond timestamp learn it is 'expired' (seconds are expected), not forged
  if (!/^[0-9]{1,13}$/.test(ts) || !sig) return 'invalid_signature';
  const good = await crypto.subtle.verify('HMAC', await hmacKey(secret), fromHex(sig[1]!), signedBytes(ts, action, bytesOf(body)));
  if (!good) return 'invalid_signature';
  return Math.abs(nowMs - Number(ts) * 1000) > SIGNATURE_WINDOW_MS ? 'request_expired' : 'ok';
}
