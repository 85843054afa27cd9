/**
 * Stable error codes: the one vocabulary shared by Durable Objects (which return
 * `{ ok: false, code }`) and the worker (which maps each code to one HTTP status here).
 * Codes are part of the public API: add new ones, never rename.
 */

export const ERROR_STATUS = {
  // 400: the request itself is malformed
  malformed_json: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 400,
  idempotency_key_required: 400,
  // 401 / 403: who you are and what you may do
  unauthenticated: 401,
  invalid_credentials: 401,
  session_expired: 401,
  forbidden: 403,
  account_locked: 403,
  account_closed: 403,
  self_excluded: 403,
  cooling_off: 403,
  mfa_required: 401,
  invalid_signature: 401,
  request_expired: 401,
  invalid_mfa_code: 401,
  sso_failed: 401,
  csrf_failed: 403,
  four_eyes_violation: 403,
  // 404 / 409
  not_found: 404,
  player_not_found: 404,
  deposit_not_found: 404,
  withdrawal_not_found: 404,
  hold_not_found: 404,
  operator_not_found: 404,
  adjustment_not_found: 404,
  alert_not_found: 404,
  table_not_found: 404,
  round_not_found: 404,
  game_not_found: 404,
  provider_not_found: 404,
  category_not_found: 404,
  transaction_not_found: 404,
  rule_set_version_not_found: 404,
  tournament_not_found: 404,
  email_taken: 409,
  operator_exists: 409,
  idempotency_conflict: 409,
  invalid_state: 409,
  betting_closed: 409,
  game_disabled: 409,
  transaction_rolled_back: 409,
  rollback_not_allowed: 409,
  already_exists: 409,
  version_conflict: 409,
  // a rewards draft conflicting with what was published since it was made (docs/rewards.md "Publishing")
  stale_draft: 409,
  round_expired: 409,
  withdrawal_not_cancellable: 409,
  // tournaments (docs/tournaments.md): joined already; or no longer open to join (ended, cancelled)
  tournament_already_joined: 409,
  tournament_closed: 409,
  // 422: well-formed but not allowed by the rules
  underage: 422,
  unsupported_currency: 422,
  insufficient_funds: 422,
  amount_too_large: 422,
  kyc_required: 422,
  limit_exceeded: 422,
  limit_currency_not_covered: 422,
  self_exclusion_irrevocable: 422,
  unknown_provider: 422,
  payment_mismatch: 422,
  unknown_bet_spot: 422,
  invalid_outcome: 422,
  bet_out_of_limits: 422,
  exposure_exceeded: 422,
  correction_out_of_bounds: 422,
  batch_too_large: 422,
  invalid_decision: 422,
  decision_required: 422,
  // free bets (durable/player/reward-offers.ts): the token cannot stake this bet; nothing changed
  free_bet_not_found: 404,
  free_bet_used: 409,
  free_bet_expired: 409,
  free_bet_wrong_currency: 422,
  free_bet_wrong_table: 422,
  free_bet_wrong_amount: 422,
  // wheel spins (durable/player/rewards.ts spin): unknown (or another player's), expired, or withheld
  // while the player is at risk (a wheel with cash-like prizes); nothing changed
  reward_spin_not_found: 404,
  reward_spin_expired: 409,
  reward_spin_player_at_risk: 409,
  invalid_rule_set: 422,
  // the tournament's entry rules (segments, currency) do not admit the player
  tournament_not_eligible: 422,
  // live blackjack (domain/games/blackjack/state.ts BlackjackErrorCode): the game's rules refused the move; nothing changed
  wrong_phase: 409,
  seat_taken: 409,
  table_full: 409,
  already_bet: 409,
  not_your_turn: 409,
  card_pending: 409,
  hand_finished: 409,
  no_card_needed: 409,
  no_bets: 409,
  decision_pending: 409,
  box_not_found: 404,
  hand_not_found: 404,
  seat_empty: 404,
  not_your_box: 403,
  no_such_seat: 422,
  side_bet_not_offered: 422,
  seat_not_offered: 422,
  own_seat: 422,
  double_needs_two_cards: 422,
  double_not_allowed: 422,
  double_after_split_not_allowed: 422,
  split_needs_two_cards: 422,
  split_unequal_cards: 422,
  split_aces_one_card: 422,
  split_limit: 422,
  resplit_aces_not_allowed: 422,
  surrender_not_offered: 422,
  surrender_not_allowed: 422,
  insurance_not_offered: 422,
  insurance_too_small: 422,
  not_a_card: 422,
  card_not_in_shoe: 422,
  card_out_of_order: 409,
  wrong_game: 422,
  // 426: the route takes a WebSocket upgrade (the player channel)
  upgrade_required: 426,
  // 429 / 451
  rate_limited: 429,
  geo_blocked: 451,
  jurisdiction_unavailable: 451,
  game_unavailable: 451,
  // 5xx: our fault, never the client's
  misconfigured: 500,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type Failure = { ok: false; code: ErrorCode; message?: string; details?: Record<string, unknown> };
export type Result<T extends object = object> = ({ ok: true } & T) | Failure;

export function fail(code: ErrorCode, message?: string, details?: Record<string, unknown>): Failure {
  return details ? { ok: false, code, message, details } : { ok: false, code, message };
}
