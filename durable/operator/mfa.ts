/**
 * Second factor for operators: TOTP (RFC 6238, 6 digits, 30 s, SHA-1 as every authenticator app
 * expects) and single-use recovery codes. Synchronous on purpose, so checks run inside the
 * operator object's transaction. A TOTP code is accepted one step either side for clock drift,
 * and never twice: the object remembers the last step used.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { Secret, TOTP } from 'otpauth';
import { renderSVG } from 'uqr';

export const TOTP_ISSUER = 'Edge Casino';
const PERIOD_S = 30;
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export const TOTP_CODE = /^\d{6}$/;
export const RECOVERY_CODE = /^[a-z2-9]{5}-[a-z2-9]{5}$/;

function totp(secretBase32: string, label: string): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD_S, secret: Secret.fromBase32(secretBase32) });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export type Enrolment = { secret: string; otpauth_uri: string; qr_svg: string; recovery_codes: string[] };

export function enrolment(secretBase32: string, label: string, recoveryCodes: string[]): Enrolment {
  const uri = totp(secretBase32, label).toString();
  return { secret: secretBase32, otpauth_uri: uri, qr_svg: renderSVG(uri), recovery_codes: recoveryCodes };
}

/** The time step a valid code belongs to, or null. Steps at or before `lastStep` are replays. */
export function totpStep(secretBase32: string, code: string, nowMs: number, lastStep: number): { step: number } | { error: 'invalid' | 'replayed' } {
  if (!TOTP_CODE.test(code)) return { error: 'invalid' };
  const delta = totp(secretBase32, 'check').validate({ token: code, timestamp: nowMs, window: 1 });
  if (delta === null) return { error: 'invalid' };
  const step = Math.floor(nowMs / 1000 / PERIOD_S) + delta;
  return step <= lastStep ? { error: 'replayed' } : { step };
}

/** The current code (demo CLI and tests act as the operator's authenticator app). */
export function currentTotp(secretBase32: string, nowMs = Date.now()): string {
  return totp(secretBase32, 'now').generate({ timestamp: nowMs });
}

export function newRecoveryCodes(): string[] {
  const codes: string[] = [];
  for (let i = 0; i < RECOVERY_CODE_COUNT; i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(10));
    const chars = Array.from(bytes, (b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join('');
    codes.push(`${chars.slice(0, 5)}-${chars.slice(5)}`);
  }
  return codes;
}

/** Recovery codes are random (50 bits), so a plain SHA-256 is enough to store them. */
export function hashRecoveryCode(code: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(`recovery:${code}`)));
}
