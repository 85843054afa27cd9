/**
 * A dealer's live table in the edge tests: the dealer opens a round and enters its result, as the
 * studio does (POST /v1/ops/tables/{id}/rounds, .../result), each answer checked.
 */
import { expect } from 'vitest';
import type { Json } from './helpers';
import { opCall, type Operator } from './ops-helpers';

export function dealerTable(tableId: string, dealer: () => Operator) {
  return {
    async openRound(): Promise<Json> {
      const r = await opCall('POST', `/v1/ops/tables/${tableId}/rounds`, dealer());
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.round;
    },
    async result(roundId: string, number: number): Promise<void> {
      const r = await opCall('POST', `/v1/ops/tables/${tableId}/rounds/${roundId}/result`, dealer(), { outcome: { number } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    },
  };
}
