/**
 * The provider seamless-wallet API: a third-party game provider keeps no money of its own; it asks
 * us for the player's balance, debits bets, credits wins and rolls back bets, each keyed by its own
 * transaction id and applied once. Every request is signed (worker/provider/signature.ts) and the
 * signature is checked over the raw body before anything else; the money moves in the player's
 * object (durable/player/provider-wallet.ts). Guide with a worked signature: docs/provider-api.md.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Failure } from '../../domain/errors';
import { ApiError, unwrap } from '../http/errors';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { signedBy, type ProviderEnv } from '../provider/auth';
import { checkProviderGame } from '../provider/catalog-gate';
import { verifyLaunchToken, type LaunchClaims } from '../provider/launch-token';
import { BalanceRequest, BalanceResponse, BetRequest, RollbackRequest, SignatureHeaders, TransactionResponse, WinRequest } from '../provider/schemas';
import { body, errors, json } from '../schemas';

export const provider = new OpenAPIHono<ProviderEnv>({ defaultHook: validationHook });

provider.openAPIRegistry.registerComponent('securitySchemes', 'providerSignature', {
  type: 'apiKey', in: 'header', name: 'X-Signature',
  description: 'X-Signature: sha256=<hex HMAC-SHA256(provider secret, "<X-Timestamp>.<action>.<raw body>")>, with X-Timestamp: <unix seconds> '
    + '(at most 5 minutes from our clock) and action = the last path segment (balance, bet, win, rollback). Signed over the exact body bytes sent.',
});

const TAG = 'Provider wallet';
const security = [{ providerSignature: [] }];
const params = z.object({ provider_id: z.string().max(64).openapi({ description: 'Your provider id in our catalog', example: 'sandbox-slots' }) });
const SIGNING = 'Signed: `X-Timestamp: <unix seconds>` and `X-Signature: sha256=<hex HMAC-SHA256(secret, "<X-Timestamp>.<action>.<raw body>")>` '
  + '(401 invalid_signature; 401 request_expired beyond 5 minutes). Errors: {"error":{"code","message","details"}}.';

/** A launch token of this provider; `settlement` accepts one past its expiry (wins and rollbacks). */
async function launchClaims(env: Env, providerId: string, token: string, settlement: boolean): Promise<LaunchClaims> {
  const claims = await verifyLaunchToken(env, token, { settlement });
  if (claims === 'expired') throw new ApiError('session_expired', 'the launch token has expired; the player must launch the game again');
  if (claims === 'invalid') throw new ApiError('unauthenticated', 'the launch token is not valid');
  if (claims.provider_id !== providerId) throw new ApiError('unauthenticated', 'the launch token was issued for another provider');
  return claims;
}

provider.openapi(createRoute({
  method: 'post', path: '/provider/{provider_id}/balance', tags: [TAG], summary: 'Player balance', security, middleware: [signedBy('balance')],
  description: `The player's available balance in the currency of the launch token. Reads only. ${SIGNING}`,
  request: { params, headers: SignatureHeaders, body: body(BalanceRequest) },
  responses: { 200: json(BalanceResponse, 'Balance'), ...errors(400, 401, 404, 413) },
}), async (c) => {
  const input = c.req.valid('json');
  const claims = await launchClaims(c.env, c.get('providerId'), input.token, false);
  const r = unwrap(await playerStub(c.env, claims.player_id).providerBalance(claims.currency));
  return c.json({ player_id: r.player_id, currency: r.currency, balance_minor: r.balance_minor }, 200);
});

provider.openapi(createRoute({
  method: 'post', path: '/provider/{provider_id}/bet', tags: [TAG], summary: 'Debit a bet', security, middleware: [signedBy('bet')],
  description: 'Debits the stake once per `tx_id`. Needs the player\'s session open and the player free to play (403 self_excluded, cooling_off, '
    + 'account_locked; 401 session_expired), their limits (422 limit_exceeded) and funds (422 insufficient_funds), and the game playable by '
    + 'the catalog (404 game_not_found, 409 game_disabled, 451 game_unavailable, 422 unsupported_currency, 422 bet_out_of_limits). '
    + 'A repeat answers the first result (200, replayed: true); the same tx_id with a different request is 409 idempotency_conflict; '
    + `a bet whose tx_id was rolled back (even before it arrived) is 409 transaction_rolled_back. ${SIGNING}`,
  request: { params, headers: SignatureHeaders, body: body(BetRequest) },
  responses: { 200: json(TransactionResponse, 'Debited (or the first result of a repeat)'), ...errors(400, 401, 403, 404, 409, 413, 422, 451) },
}), async (c) => {
  const input = c.req.valid('json');
  const providerId = c.get('providerId');
  const claims = await launchClaims(c.env, providerId, input.token, false);
  if (claims.game_id !== input.game_id) throw new ApiError('forbidden', `the launch token was issued for game ${claims.game_id}`, { game_id: claims.game_id });
  if (claims.currency !== input.currency) throw new ApiError('unsupported_currency', `the game was launched in ${claims.currency}`, { currency: claims.currency });
  const game = await checkProviderGame(c.env, { game_id: input.game_id, provider_id: providerId, jurisdiction: claims.jurisdiction, currency: input.currency, stake_minor: input.amount_minor });
  const refusal = game.ok ? null : (game as Failure);
  const r = unwrap(await playerStub(c.env, claims.player_id).providerBet({
    provider_id: providerId, session_id: claims.session_id, tx_id: input.tx_id, round_id: input.round_id, game_id: input.game_id,
    currency: input.currency, amount_minor: input.amount_minor,
  }, refusal));
  return c.json({ ...r.tx, replayed: r.replayed }, 200);
});

/** Wins and rollbacks name the player; a token, if sent, must be this provider's and this player's. */
async function settlementPlayer(env: Env, providerId: string, input: { player_id: string; token?: string }): Promise<string> {
  if (input.token !== undefined) {
    const claims = await launchClaims(env, providerId, input.token, true);
    if (claims.player_id !== input.player_id) throw new ApiError('unauthenticated', 'the launch token was issued for another player');
  }
  return input.player_id;
}

provider.openapi(createRoute({
  method: 'post', path: '/provider/{provider_id}/win', tags: [TAG], summary: 'Credit a win', security, middleware: [signedBy('win')],
  description: 'Credits a win once per `tx_id`, against a bet of the same round, game and currency (`bet_tx_id`, or the latest bet of the round '
    + 'that stands). Accepted after logout, expiry or an exclusion: money owed is paid. 404 transaction_not_found without such a bet; 409 '
    + 'transaction_rolled_back when it was rolled back; 409 invalid_state when it is of another round, game or currency. `amount_minor` 0 closes '
    + `a losing round (recorded, no ledger entry). ${SIGNING}`,
  request: { params, headers: SignatureHeaders, body: body(WinRequest) },
  responses: { 200: json(TransactionResponse, 'Credited (or the first result of a repeat)'), ...errors(400, 401, 404, 409, 413, 422) },
}), async (c) => {
  const input = c.req.valid('json');
  const providerId = c.get('providerId');
  const playerId = await settlementPlayer(c.env, providerId, input);
  const r = unwrap(await playerStub(c.env, playerId).providerWin({
    provider_id: providerId, tx_id: input.tx_id, round_id: input.round_id, game_id: input.game_id, currency: input.currency,
    amount_minor: input.amount_minor, bet_tx_id: input.bet_tx_id ?? null,
  }));
  return c.json({ ...r.tx, replayed: r.replayed }, 200);
});

provider.openapi(createRoute({
  method: 'post', path: '/provider/{provider_id}/rollback', tags: [TAG], summary: 'Roll back a bet', security, middleware: [signedBy('rollback')],
  description: 'Gives a bet\'s stake back, once. The rollback has its own `tx_id` and names the bet in `bet_tx_id`. A rollback of a bet we never '
    + 'received is recorded (200, unmatched: true) and that bet is refused if it arrives later (409 transaction_rolled_back). A second rollback of '
    + 'the same bet is 409 transaction_rolled_back. Only bets can be rolled back, and only before a win was credited against them: 409 '
    + `rollback_not_allowed. Accepted after logout or an exclusion. ${SIGNING}`,
  request: { params, headers: SignatureHeaders, body: body(RollbackRequest) },
  responses: { 200: json(TransactionResponse, 'Rolled back, recorded as unmatched, or the first result of a repeat'), ...errors(400, 401, 404, 409, 413, 422) },
}), async (c) => {
  const input = c.req.valid('json');
  const providerId = c.get('providerId');
  const playerId = await settlementPlayer(c.env, providerId, input);
  const r = unwrap(await playerStub(c.env, playerId).providerRollback({
    provider_id: providerId, tx_id: input.tx_id, bet_tx_id: input.bet_tx_id, round_id: input.round_id, game_id: input.game_id, currency: input.currency,
  }));
  return c.json({ ...r.tx, replayed: r.replayed }, 200);
});
