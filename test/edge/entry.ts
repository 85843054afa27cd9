/**
 * The Worker as the edge tests run it: the production entry (worker/index.ts) with one difference,
 * a PlayerDO that also answers the raw two-phase steps (reserve, post, credit a win with or without
 * a bet). Production has no RPC for them, because a caller that can post a hold or credit a win
 * that no game settled can mint money; tests use them to build wallet states directly.
 * vitest.config.mts points the edge project's `main` here; wrangler.toml keeps worker/index.ts.
 */
// First, so that modules load in the production order (zod's OpenAPI extension before its users).
export * from '../../worker/index';
export { default } from '../../worker/index';
import type { Currency } from '../../domain/money';
import { fail } from '../../domain/errors';
import { PlayerDO as ProductionPlayerDO } from '../../durable/player/player-do';
import { HOLD_TTL_MAX_MS, type Bucket, type HoldRequest } from '../../durable/player/wallet';

export class PlayerDO extends ProductionPlayerDO {
  /** Reads the brand's live rule set now (what the timed refresh does after a call), and answers the version in use. */
  async refreshRuleSet(): Promise<number | null> {
    const brand = this.c.profile()?.brand;
    if (brand) await this.ruleSource.refresh(brand);
    return this.ruleSource.version;
  }

  /** First phase of a bet, as a game would ask for it (blocked players refused, expiry capped). */
  reserveHold(input: HoldRequest) {
    return this.tx(() => {
      const blocked = this.profileRg.blockReason();
      if (blocked) return fail(blocked);
      const now = this.c.now();
      const expiresAt = Math.min(input.expires_at ?? now + HOLD_TTL_MAX_MS, now + HOLD_TTL_MAX_MS);
      return this.walletRg.reserveHold({ ...input, expires_at: expiresAt });
    });
  }

  voidHold(holdId: string) {
    return this.tx(() => this.walletRg.voidHold(holdId));
  }

  /**
   * A refused post changes nothing, except a hold past its expiry, which it expires first (as the
   * alarm would): that refusal commits, so the stake is back at once, whichever came first.
   */
  postHold(holdId: string) {
    return this.tx(() => this.walletRg.postHold(holdId), 'now', 'commit');
  }

  creditWin(input: { win_id: string; hold_id: string | null; currency: Currency; amount_minor: number; bucket: Bucket }) {
    return this.tx(() => (this.c.profile() ? this.walletRg.creditWin(input) : fail('player_not_found')));
  }
}
