/**
 * Segments flow back end to end on real parts: the worker under `wrangler dev` with its own
 * SEGMENTS_PUBLISH_SECRET, players registered over HTTP, a DuckDB warehouse holding the relation of
 * the contract (marts.player_segments), and the publisher (`wh publish segments`) sending it over
 * real HTTP with the HMAC. The finer rules are in test/edge/segments-publish.test.ts and
 * warehouse/publish-segments.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { openWarehouse } from '../../warehouse/db';
import { publishSegments } from '../../warehouse/publish-segments';
import { devEdge, randomSecret } from './dev-edge';

describe('warehouse -> /internal/v1/segments -> player objects', () => {
  const edge = devEdge('segments', ['SEGMENTS_PUBLISH_SECRET']);
  const { secrets } = edge;

  it('publishes the relation once, changes only what moved, and refuses another secret', async () => {
    const { worker } = edge;
    const players: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${worker.baseUrl}/v1/players`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: `seg${i}.${Date.now()}@example.test`, password: 'correct horse battery', date_of_birth: '1990-01-15', country: 'MT' }),
      });
      expect(res.status, worker.logs()).toBe(201);
      players.push(((await res.json()) as { player: { player_id: string } }).player.player_id);
    }
    const ghost = crypto.randomUUID();
    const wh = await openWarehouse(edge.paths.db);
    try {
      await wh.con.run(`create schema marts; create table marts.player_segments (player_id varchar, segments varchar[], vip_tier varchar);
        insert into marts.player_segments values ('${players[0]}', ['whale', 'active'], 'gold'), ('${players[1]}', ['dormant'], null),
          ('${players[2]}', [], null), ('${ghost}', ['whale'], null)`);
      const url = `${worker.baseUrl}/internal/v1/segments`;
      const first = await publishSegments(wh.con, { url, secret: secrets.SEGMENTS_PUBLISH_SECRET });
      // the third player has no segments and no tier: applied (its first snapshot), but nothing changed
      expect(first, worker.logs()).toMatchObject({ sent: 4, batches: 1, changed: 2, unchanged: 1, unknown_player: 1, replayed: 0, stale: 0 });

      expect((await publishSegments(wh.con, { url, secret: secrets.SEGMENTS_PUBLISH_SECRET })).skipped).toBe('unchanged');

      await wh.con.run(`update marts.player_segments set vip_tier = 'platinum' where player_id = '${players[0]}'`);
      await expect(publishSegments(wh.con, { url, secret: randomSecret() })).rejects.toThrow(/HTTP 401.*invalid_signature/);
      const second = await publishSegments(wh.con, { url, secret: secrets.SEGMENTS_PUBLISH_SECRET, batchSize: 1 });
      expect(second).toMatchObject({ sent: 1, batches: 1, changed: 1 });
    } finally {
      wh.close();
    }
  });
});
