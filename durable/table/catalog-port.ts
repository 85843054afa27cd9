/** The one thing a table asks of the game catalog: its game's current configuration (enabled, jurisdictions). */
import type { Game } from '../../domain/catalog/types';
import type { Result } from '../../domain/errors';

type CatalogReader = { game(gameId: string): Promise<Result<{ game: Game }>> };

export async function catalogGame(env: Env, gameId: string): Promise<Result<{ game: Game }>> {
  const catalog: CatalogReader = env.CATALOG.getByName('catalog');
  return catalog.game(gameId);
}
