/**
 * The ranking of a tournament, a total order (docs/tournaments.md "Ties"):
 *  1. the higher score first;
 *  2. on equal scores, whoever reached that score first (`reached_at`: the time of the latest bet
 *     that added points, the table's result time, not when the event arrived, so a retry or a late
 *     delivery cannot change it);
 *  3. then whoever joined first;
 *  4. then the player id (string order): never a tie, so every rank is held by exactly one player.
 * Only players with a positive score are ranked for prizes: joining alone wins nothing.
 */
export type Standing = { player_id: string; score: number; reached_at: number; joined_at: number };
export type Ranked = Standing & { rank: number };

export function compareStandings(a: Standing, b: Standing): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.reached_at !== b.reached_at) return a.reached_at - b.reached_at;
  if (a.joined_at !== b.joined_at) return a.joined_at - b.joined_at;
  return a.player_id < b.player_id ? -1 : a.player_id > b.player_id ? 1 : 0;
}

/** Every standing, ordered and numbered 1..n; `scored` keeps only positive scores (who may win a prize). */
export function rank(standings: readonly Standing[], opts: { scored: boolean } = { scored: false }): Ranked[] {
  const list = opts.scored ? standings.filter((s) => s.score > 0) : [...standings];
  return list.sort(compareStandings).map((s, i) => ({ ...s, rank: i + 1 }));
}
