/**
 * Payment references: what the platform keeps of a payment instrument (a card, a bank account, an
 * e-wallet) so that AML rules can count a player's distinct instruments and see a withdrawal to an
 * instrument never deposited from, without ever holding the instrument itself.
 *
 * The payment provider identifies an instrument by a stable token (a card fingerprint, a stored
 * payment-method id, a tokenised IBAN); never by its number (a PAN is outside our PCI scope). The
 * edge does not store or emit even that token: it keeps
 *
 *   payment_reference = first 16 hex characters of HMAC-SHA-256(PAYMENT_REFERENCE_KEY, token)
 *
 * A keyed hash, not a plain one: provider tokens are short and structured, so an unkeyed hash could
 * be reversed by trying candidates; without the key the reference says nothing about the token. 16
 * hex characters (64 bits) keep collisions negligible for the instruments of a whole casino (about
 * 1 in 10^7 for 10^6 instruments) while short enough for a warehouse column. The same token gives the same
 * reference for as long as the key stays the same: rotating the key makes every instrument look new.
 */

/** What a provider token may look like: 8-128 characters of A-Z a-z 0-9 _ - . : (no spaces, no JSON). */
export const PAYMENT_INSTRUMENT_PATTERN = /^[A-Za-z0-9_\-.:]{8,128}$/;

/** A card number (PAN) is 12-19 digits, maybe grouped by spaces or dashes: refused, never hashed. */
const PAN_LIKE = /^\d(?:[ -]?\d){11,18}$/;

/** Hex characters kept of the HMAC. */
export const PAYMENT_REFERENCE_HEX_CHARS = 16;
export const PAYMENT_REFERENCE_PATTERN = /^[0-9a-f]{16}$/;

/** Shortest key accepted (characters): the HMAC key's strength is the key's own. */
export const PAYMENT_REFERENCE_KEY_MIN_LENGTH = 32;

/**
 * The key of development and of the simulator's fast mode (which has no secrets): public, so its
 * references protect nothing. The edge uses it only when ENVIRONMENT is development and no
 * PAYMENT_REFERENCE_KEY is set; production refuses instruments without a real key.
 */
export const DEV_PAYMENT_REFERENCE_KEY = 'edge-casino-development-payment-reference-key-not-secret';

/** Why `instrument` is refused, or null when it may be hashed. The message never repeats the value. */
export function paymentInstrumentProblem(instrument: string): string | null {
  if (PAN_LIKE.test(instrument)) return 'looks like a card number: send the payment provider\'s token for the instrument, never the number';
  if (!PAYMENT_INSTRUMENT_PATTERN.test(instrument)) return '8-128 characters of A-Z a-z 0-9 _ - . : are expected';
  return null;
}

/** The reference of a provider token under `key` (WebCrypto: the same in workerd and Node). */
export async function paymentReference(key: string, instrument: string): Promise<string> {
  const k = await crypto.subtle.importKey('raw', new TextEncoder().encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', k, new TextEncoder().encode(instrument)));
  return Array.from(mac.subarray(0, PAYMENT_REFERENCE_HEX_CHARS / 2), (b) => b.toString(16).padStart(2, '0')).join('');
}
