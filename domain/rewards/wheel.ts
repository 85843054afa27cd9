/**
 * The prize wheel, provably fair like the automated tables (domain/fairness/provably-fair.ts, the
 * same algorithm docs/fairness.md specifies): when a spin is granted the player's object draws a
 * server seed and shows the player its commitment (SHA-256); the spin's prize is the prize whose
 * cumulative weight range holds int(total weight) of the HMAC stream keyed by the seed, with message
 * "wheel:<wheel id>:<spin id>:<block>"; after the spin the seed is revealed and anyone can re-draw it.
 * The prize table is data (the rule set's `wheels`), and is part of the proof.
 */
import { commitSeed, isServerSeed, roundSource } from '../fairness/provably-fair';
import type { Wheel } from './rule-schema';

export type WheelPrize = Wheel['prizes'][number];

export function spinWheel(wheel: Wheel, serverSeed: string, spinId: string): WheelPrize {
  const total = wheel.prizes.reduce((s, p) => s + p.weight, 0);
  const r = roundSource(serverSeed, `wheel:${wheel.id}`, spinId).int(total);
  let edge = 0;
  for (const prize of wheel.prizes) {
    edge += prize.weight;
    if (r < edge) return prize;
  }
  throw new Error('unreachable: r < total weight');
}

export type WheelProof = { wheel: Wheel; spin_id: string; commitment: string; server_seed: string; prize_id: string };

export function verifyWheelSpin(proof: WheelProof): { ok: true } | { ok: false; reason: string } {
  if (!isServerSeed(proof.server_seed)) return { ok: false, reason: 'server_seed must be 64 lowercase hex characters' };
  if (commitSeed(proof.server_seed) !== proof.commitment.toLowerCase()) return { ok: false, reason: 'server_seed does not match the commitment' };
  const expected = spinWheel(proof.wheel, proof.server_seed, proof.spin_id);
  if (expected.id !== proof.prize_id) return { ok: false, reason: `the seed gives prize '${expected.id}', not '${proof.prize_id}'` };
  return { ok: true };
}
