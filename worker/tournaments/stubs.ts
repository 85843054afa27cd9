/** Tournament objects from the worker's side: one per tournament, one index per brand. */
import type { TournamentDO } from '../../durable/tournament/tournament-do';
import { tournamentIndexName } from '../../durable/tournament/tournament-do';

export function tournamentStub(env: Env, tournamentId: string): DurableObjectStub<TournamentDO> {
  return env.TOURNAMENT.getByName(tournamentId);
}

export function tournamentIndexStub(env: Env, brand: string): DurableObjectStub<TournamentDO> {
  return env.TOURNAMENT.getByName(tournamentIndexName(brand));
}

/** The brand's tournaments, newest first. */
export async function brandTournaments(env: Env, brand: string) {
  const ids = await tournamentIndexStub(env, brand).listed();
  const views = await Promise.all(ids.map((id) => tournamentStub(env, id).get()));
  return views.flatMap((v) => (v.ok ? [v.tournament] : []));
}
