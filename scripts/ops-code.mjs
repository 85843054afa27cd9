#!/usr/bin/env node
/**
 * The demo operators' authenticator app: prints the current 6-digit TOTP code of a demo operator
 * seeded by `npm start` (their secrets are in demo-operators.json next to the seed marker).
 *
 *   npm run ops:code -- <email>          the code (on stdout; how long it stays valid on stderr)
 *   npm run -s ops:code -- <email>       the code alone, for scripts
 *   npm run ops:code                     the demo operators
 *
 * The email may be given in part (`compliance.malta`) when that names one operator. Each code
 * works once per operator: a second login within the same 30 s step needs the next code.
 * Environment: CASINO_STATE_DIR (as for `npm start`), or OPS_DEMO_FILE for the file itself.
 *
 * The same algorithm as durable/operator/mfa.ts currentTotp (RFC 6238: HMAC-SHA1, 30 s, 6 digits),
 * written out here because a .mjs script cannot import that TypeScript module; scripts/seed-ops.mjs
 * logs every demo operator in with it, so a seed that succeeds proves the two agree.
 */
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TOTP_PERIOD_S = 30;

/** Where `npm start` keeps the demo operators for this state directory. */
export function demoOperatorsFile(env = process.env) {
  if (env.OPS_DEMO_FILE) return resolve(env.OPS_DEMO_FILE);
  return env.CASINO_STATE_DIR ? join(resolve(env.CASINO_STATE_DIR), 'demo-operators.json') : join(ROOT, '.wrangler', 'demo-operators.json');
}

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.toUpperCase().replace(/[\s=]/g, '')) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not a base32 TOTP secret (character '${ch}')`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The TOTP step of a time (RFC 6238 T). */
export function totpStep(nowMs = Date.now()) {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_S);
}

/** RFC 6238 / RFC 4226: HMAC-SHA1 over the big-endian step, dynamic truncation, 6 digits. */
export function totpCode(secretBase32, nowMs = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(totpStep(nowMs)));
  const mac = createHmac('sha1', base32Decode(secretBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

export function readDemoOperators(file = demoOperatorsFile()) {
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = demoOperatorsFile();
  const args = process.argv.slice(2);
  let data;
  try {
    data = readDemoOperators(file);
  } catch (err) {
    console.error(`cannot read ${file}: ${err.message}`);
    process.exit(1);
  }
  if (!data?.operators?.length) {
    console.error(`no demo operators in ${file}: run \`npm start\` first (with the same CASINO_STATE_DIR)`);
    process.exit(1);
  }
  const list = () => data.operators.map((o) => `  ${o.email.padEnd(40)} ${o.roles.join(', ')}`).join('\n');
  if (args.length !== 1 || args[0].startsWith('-')) {
    console.error(`usage: npm run ops:code -- <email>\n\ndemo operators (${file}):\n${list()}`);
    process.exit(args.length === 0 ? 0 : 2);
  }
  const wanted = args[0].trim().toLowerCase();
  const exact = data.operators.filter((o) => o.email.toLowerCase() === wanted);
  const found = exact.length ? exact : data.operators.filter((o) => o.email.toLowerCase().includes(wanted));
  if (found.length !== 1) {
    console.error(`${found.length ? 'several' : 'no'} demo operators match '${args[0]}':\n${list()}`);
    process.exit(1);
  }
  const now = Date.now();
  const left = TOTP_PERIOD_S - Math.floor(now / 1000) % TOTP_PERIOD_S;
  console.log(totpCode(found[0].totp_secret, now));
  console.error(`(${found[0].email}: valid for ${left} s more; each code works once per operator)`);
}
