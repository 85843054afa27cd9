/**
 * The example rule set of docs/rewards.md: the source documents' examples written as data. Tests and
 * the micro-benchmark use it; it is also a starting point for a brand's own set.
 */
import type { RuleSetInput } from './rule-schema';

export const EXAMPLE_DEALER = 'dealer-anna';

export const EXAMPLE_RULE_SET = {
  id: 'live-tables',
  version: 3,
  caps: { points_per_day: 1_000, xp_per_day: 5_000, cash_minor_per_day: { EUR: 1_000, GBP: 900 } },
  safety: { break_message: 'You have been playing for a while. How about a short break?', break_message_interval_minutes: 30 },
  counters: [
    { id: 'naturals_today', kind: 'count', on: ['table.hand.settled'], where: [{ fact: 'natural', eq: true }], window: 'today' },
    { id: 'banker_bets_today', kind: 'count', on: ['table.bet.placed'], where: [{ fact: 'bet_type', eq: 'banker' }], window: 'today' },
    {
      id: 'loss_streak', kind: 'streak', on: ['table.bet.settled', 'table.hand.settled'], window: 'session',
      counts: [{ fact: 'result', eq: 'lose' }], resets: [{ fact: 'result', eq: 'win' }],
    },
    { id: 'games_played', kind: 'distinct', on: ['table.bet.placed', 'provider.bet.debited'], of: 'game_id', window: 'lifetime' },
    { id: 'rounds_with_anna', kind: 'distinct', on: ['table.bet.settled'], where: [{ fact: 'dealer_id', eq: EXAMPLE_DEALER }], of: 'round_id', window: 'today' },
    { id: 'staked_30m', kind: 'count', on: ['table.bet.placed'], window: { rolling_minutes: 30 }, sum: 'stake_minor' },
    { id: 'bets_at_table_today', kind: 'count', on: ['table.bet.placed'], window: 'today', group_by: ['table_id'] },
  ],
  rules: [
    {
      id: 'first-natural-of-the-day', version: 1, status: 'active', name: 'First natural of the day',
      on: 'table.hand.settled', when: [{ fact: 'natural', eq: true }, { counter: 'naturals_today', eq: 1 }],
      actions: [{ type: 'xp', amount: 10 }, { type: 'shout_out', template: 'Blackjack! {player} hits their first natural of the day' }],
    },
    {
      id: 'banker-three-times-today', version: 2, status: 'active', name: 'Banker bet three times today',
      on: 'table.bet.placed', when: [{ fact: 'bet_type', eq: 'banker' }, { counter: 'banker_bets_today', eq: 3 }],
      actions: [{ type: 'points', amount: 50 }],
    },
    {
      id: 'losing-streak-break', version: 1, status: 'active', purpose: 'care', name: 'Losing streak: take a break',
      on: 'table.bet.settled', when: [{ counter: 'loss_streak', gte: 5 }], caps: { cooldown_minutes: 30 },
      actions: [{ type: 'message', template: 'Five losses in a row. A short break often helps.' }],
    },
    {
      id: 'first-hand-new-game', version: 1, status: 'active', name: 'First hand at a new game',
      on: 'table.bet.placed', when: [{ counter: 'games_played', is_new: true }],
      actions: [{ type: 'xp', amount: 5 }, { type: 'points', amount: 20 }],
    },
    {
      id: 'ten-rounds-with-anna', version: 1, status: 'active', name: '10 rounds at a table with dealer Anna',
      on: 'table.bet.settled', when: [{ counter: 'rounds_with_anna', eq: 10 }], caps: { per_day: 1 },
      actions: [{ type: 'shout_out', template: 'Anna salutes {player}: ten rounds together today' }, { type: 'free_bet', value_minor: { EUR: 200, GBP: 180 }, valid_hours: 24 }],
      budget_minor: { EUR: 100_000, GBP: 90_000 },
    },
    {
      id: 'next-bet-double-points', version: 1, status: 'active', name: 'Next bet at this table earns 2x points (A/B)',
      on: 'table.bet.placed', when: [{ counter: 'bets_at_table_today', every: 20 }],
      segments: { include: [], exclude: ['cautious'] },
      pacing: [{ segment: 'high_roller', min_interval_minutes: 5 }, { segment: null, min_interval_minutes: 60, max_per_day: 3 }],
      holdout_bp: 1_000,
      variants: [
        { id: 'plain', weight_bp: 4_500, actions: [{ type: 'message', template: 'Your next bet at this table earns 2x points' }, { type: 'points', amount: 10 }] },
        { id: 'emoji', weight_bp: 4_500, actions: [{ type: 'message', template: 'Your next bet here earns 2x points 🎯' }, { type: 'points', amount: 10 }] },
      ],
    },
    {
      id: 'baccarat-explorer-banker', version: 1, status: 'active', name: 'Explorer mission: banker bets',
      on: 'table.bet.placed', when: [{ fact: 'bet_type', eq: 'banker' }],
      actions: [{ type: 'mission_progress', mission_id: 'baccarat-explorer', step_id: 'banker-bets', by: 1 }],
    },
    {
      id: 'baccarat-explorer-wins', version: 1, status: 'active', name: 'Explorer mission: baccarat wins',
      on: 'table.bet.settled', when: [{ fact: 'game', eq: 'baccarat' }, { fact: 'result', eq: 'win' }],
      actions: [{ type: 'mission_progress', mission_id: 'baccarat-explorer', step_id: 'baccarat-wins', by: 1 }],
    },
    {
      id: 'baccarat-explorer-blackjack', version: 1, status: 'active', name: 'Explorer mission: a blackjack hand',
      on: 'table.hand.settled',
      actions: [{ type: 'mission_progress', mission_id: 'baccarat-explorer', step_id: 'blackjack-hand', by: 1 }],
    },
    {
      id: 'daily-login-spin', version: 1, status: 'active', name: 'A wheel spin on the first login of the day',
      on: 'player.login.succeeded', caps: { per_day: 1 },
      actions: [{ type: 'wheel_spin', wheel_id: 'daily' }], budget_minor: { EUR: 50_000 },
    },
  ],
  missions: [
    {
      id: 'baccarat-explorer', name: 'Table explorer', expires_after_minutes: 7 * 24 * 60,
      steps: [
        { id: 'banker-bets', name: 'Bet on the banker 3 times', target: 3 },
        { id: 'baccarat-wins', name: 'Win 2 baccarat bets', target: 2 },
        { id: 'blackjack-hand', name: 'Play a hand of blackjack', target: 1 },
      ],
      reward: [{ type: 'points', amount: 200 }, { type: 'badge', badge_id: 'table-explorer' }],
    },
  ],
  wheels: [
    {
      id: 'daily', name: 'Daily wheel',
      prizes: [
        { id: 'nothing', weight: 40, reward: null },
        { id: 'points-25', weight: 35, reward: { type: 'points', amount: 25 } },
        { id: 'xp-50', weight: 20, reward: { type: 'xp', amount: 50 } },
        { id: 'free-bet-1', weight: 5, reward: { type: 'free_bet', value_minor: { EUR: 100 } } },
      ],
    },
  ],
  levels: [
    { level: 1, name: 'Bronze', tier: 'bronze', min_xp: 0 },
    { level: 2, name: 'Silver', tier: 'silver', min_xp: 100 },
    { level: 3, name: 'Gold', tier: 'gold', min_xp: 1_000, reward: [{ type: 'badge', badge_id: 'gold-member' }] },
    { level: 4, name: 'Platinum', tier: 'platinum', min_xp: 10_000 },
  ],
} satisfies RuleSetInput;
