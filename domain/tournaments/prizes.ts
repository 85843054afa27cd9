/**
 * Prize allocation: prizes[i] goes to rank i + 1 of the scored ranking, one prize per rank, one rank
 * per player. With fewer scored players than prizes, the prizes left are not paid (`unawarded`):
 * awarded + unawarded is always the prize pool. Each award carries a deterministic id (tournament and
 * rank), the win id of its credit in the player's wallet, so paying it again is a replay.
 */
import type { Ranked } from './ranking';

export type Award = { prize_id: string; rank: number; player_id: string; amount_minor: number };

export function prizeId(tournamentId: string, rank: number): string {
  return `tournament:${tournamentId}:rank:${rank}`;
}

export function allocatePrizes(tournamentId: string, prizes: readonly number[], ranking: readonly Ranked[]): { awards: Award[]; unawarded_minor: number } {
  const awards: Award[] = [];
  let unawarded = 0;
  prizes.forEach((amount, i) => {
    const winner = ranking[i];
    if (winner && winner.score > 0) awards.push({ prize_id: prizeId(tournamentId, i + 1), rank: i + 1, player_id: winner.player_id, amount_minor: amount });
    else unawarded += amount;
  });
  return { awards, unawarded_minor: unawarded };
}
