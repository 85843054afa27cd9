/** The player channel as deployed (ENVIRONMENT=production): the development-only `floor` message (bench E4) is an unknown type here, and writes nothing. */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { PlayerDO } from '../../durable/player/player-do';
import { internals, player, register } from '../edge/helpers';
import { connectPlayer } from '../edge/player-socket';

describe('production player channel', () => {
  it('answers `floor` with a validation error and writes nothing; `time` still answers', async () => {
    const p = await register();
    const socket = await connectPlayer(p.token);
    await socket.next('rewards.snapshot');
    socket.ws.send(JSON.stringify({ type: 'floor' }));
    expect(await socket.next('error')).toMatchObject({ code: 'validation_failed' });
    socket.ws.send(JSON.stringify({ type: 'time' }));
    expect((await socket.next('time')).server_time).toEqual(expect.any(Number));
    expect(await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).ctx.storage.kv.get('channel.floor'))).toBeUndefined();
    socket.ws.close();
  });
});
