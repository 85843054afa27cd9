/** Typed Durable Object stubs: the stub is the API (RPC), named by the entity it owns. */
import type { PlayerDO } from '../../durable/player/player-do';
import type { DirectoryDO } from '../../durable/directory/directory-do';
import type { RateLimiterDO } from '../../durable/rate-limiter/rate-limiter-do';
import { directoryShard } from '../../durable/directory/directory-do';

export function playerStub(env: Env, playerId: string): DurableObjectStub<PlayerDO> {
  return (env.PLAYER as DurableObjectNamespace<PlayerDO>).getByName(playerId);
}

export async function directoryStub(env: Env, email: string): Promise<DurableObjectStub<DirectoryDO>> {
  return (env.DIRECTORY as DurableObjectNamespace<DirectoryDO>).getByName(await directoryShard(email));
}

export function rateLimiterStub(env: Env, key: string): DurableObjectStub<RateLimiterDO> {
  return (env.RATE_LIMITER as DurableObjectNamespace<RateLimiterDO>).getByName(key);
}
