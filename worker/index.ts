/** Worker entry: the HTTP app, the event queue consumer (to the R2 event lake) and the Durable Object classes it binds. */
import { createApp } from './app';
import { consumeEventBatch } from './lake/consumer';

export { PlayerDO } from '../durable/player/player-do';
export { DirectoryDO } from '../durable/directory/directory-do';
export { RateLimiterDO } from '../durable/rate-limiter/rate-limiter-do';
export { OperatorDO } from '../durable/operator/operator-do';
export { StaffDO } from '../durable/operator/staff-do';
export { AuditDO } from '../durable/audit/audit-do';
export { BrandOpsDO } from '../durable/brand-ops/brand-ops-do';
export { TableDO } from '../durable/table/table-do';
export { CatalogDO } from '../durable/catalog/catalog-do';
export { RewardBudgetDO } from '../durable/rewards-budget/reward-budget-do';
export { TournamentDO } from '../durable/tournament/tournament-do';

const app = createApp();

export default {
  fetch: app.fetch,
  /** `casino-events` and its dead-letter queue alike: each delivery becomes one object in EVENT_LAKE. */
  async queue(batch, env) {
    await consumeEventBatch(batch, env);
  },
} satisfies ExportedHandler<Env>;
