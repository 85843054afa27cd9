/**
 * Rule cost bench worker (issue 17: "a settlement with 100 active rules against the same settlement
 * with none, side by side, target <= 1.25x"; bench only, never deployed). Its Durable Object builds
 * the real PlayerContext, Limits, Profile, Wallet, Segments and PlayerRewards from durable/player/
 * on the real player schema, and runs table bets as PlayerDO does: `reserveTableBet` (reserveHold +
 * rewards.tableBetPlaced) and `settleTableBet` (settleBet + rewards.tableBetSettled), each in its own
 * transactionSync. One object per rule set, installed with PlayerRewards.use (what the published
 * version's refresh does, durable/player/rule-source.ts):
 *
 *   none      a rule set with no rule and no counter (the engine is reached and returns at once)
 *   counter_only  no rule, one counter on table.bet.settled: the engine evaluates every settlement
 *             (idempotency memory, the state row rewritten; a memory chunk's row once in 64) and no
 *             rule is checked; rules_100 minus this is what the rules themselves cost
 *   deployed  config/rewards.json (13 rules, the example set)
 *   rules_100 100 active rules + 10 counters on table.bet.settled, of the usual shapes (fact
 *             filters, counter thresholds, streaks, distinct rounds, group-by table, A/B with
 *             holdout, caps and pacing): bench/lib/rewards-rules.ts, the set bench/rewards-engine.ts
 *             measures too
 *
 * Timers do not advance during compute in workerd: Node times the requests (see
 * bench/rewards-settlement.mjs).
 *
 *   GET /setup?object=SET             profile and a float; installs SET
 *   GET /bet?object=SET&n=N           N table bets (reserve, then settle; 2 transactions each)
 *   GET /count?object=SET&n=N         the same through a counting storage: SQL statements per bet
 *   GET /audit?object=SET             Wallet.audit() and the rewards state against SQL, grants, the rule
 *                                     set in use, the state row's size and the memory's chunk rows
 */
import { DurableObject } from 'cloudflare:workers';
import { uuidv7 } from '../../domain/ids';
import { compileRuleSet, RuleSet } from '../../domain/rewards';
import { migrate } from '../../durable/lib/sql';
import { countingStorage, statementReport } from '../../durable/lib/statement-counter';
import { PlayerContext } from '../../durable/player/context';
import { Limits } from '../../durable/player/limits';
import { Profile } from '../../durable/player/profile';
import { PlayerRewards, type TableBetContext } from '../../durable/player/rewards';
import { liveRewardsConfig, type RewardsConfig } from '../../durable/player/rewards-config';
import { PLAYER_MIGRATIONS } from '../../durable/player/schema';
import { Segments } from '../../durable/player/segments';
import { Sessions } from '../../durable/player/sessions';
import { HOLD_TTL_MAX_MS, Wallet } from '../../durable/player/wallet';
import { benchRuleSet } from '../lib/rewards-rules';

type BenchEnv = { REWARDS_BENCH: DurableObjectNamespace<RewardsBenchDO> };

export const SETS = ['none', 'counter_only', 'deployed', 'rules_100'] as const;
export type SetName = (typeof SETS)[number];

const CURRENCY = 'EUR';
const FLOAT_MINOR = 1e12;
const MAX_N = 100_000;

function configOf(name: SetName): RewardsConfig {
  const deployed = liveRewardsConfig();
  if (name === 'deployed') return deployed;
  const set = RuleSet.parse(name === 'none'
    ? { id: 'bench-none', version: 1, rules: [], caps: { points_per_day: 1_000, cash_minor_per_day: {} } }
    : name === 'counter_only'
      ? { id: 'bench-counter', version: 1, rules: [], counters: [{ id: 'settled_today', kind: 'count', on: ['table.bet.settled'], window: 'today' }], caps: { points_per_day: 1_000, cash_minor_per_day: {} } }
      : benchRuleSet('bench-100', 'table.bet.settled'));
  return { compiled: compileRuleSet(set), risk: deployed.risk };
}

function must<T extends { ok: boolean }>(what: string, r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error(`${what} failed: ${JSON.stringify(r)}`);
  return r as Extract<T, { ok: true }>;
}

function build(storage: DurableObjectStorage, set: SetName) {
  const c = new PlayerContext(storage);
  const limits = new Limits(c);
  const sessions = new Sessions(c, limits);
  const wallet = new Wallet(c, limits);
  const rewards = new PlayerRewards(c, new Segments(c), wallet);
  rewards.use(configOf(set));
  return { c, limits, profile: new Profile(c, sessions), wallet, rewards };
}
type Parts = ReturnType<typeof build>;

const RESULTS = ['lose', 'win', 'lose', 'push', 'lose', 'win'] as const;
const TABLES = ['baccarat-1', 'baccarat-2', 'baccarat-3'];
const BET_TYPES = ['banker', 'player', 'tie', 'banker'];

/** N table bets, as PlayerDO.reserveTableBet and settleTableBet run them: two transactions each. */
function bets(storage: DurableObjectStorage, { c, wallet, rewards }: Parts, n: number, offset: number): void {
  const tag = crypto.randomUUID();
  for (let i = 0; i < n; i++) {
    const k = offset + i;
    const holdId = `${tag}:${i}`;
    const amount = 500 + (k % 7) * 1_000;
    const result = RESULTS[k % RESULTS.length]!;
    const returned = result === 'win' ? amount * 2 : result === 'push' ? amount : 0;
    const now = c.now();
    const bet: TableBetContext = {
      table_id: TABLES[k % TABLES.length]!, round_id: `round-${tag}-${i}`, game: 'baccarat', game_id: 'baccarat', spot: BET_TYPES[k % BET_TYPES.length]!,
      bet_type: BET_TYPES[k % BET_TYPES.length]!, session_id: 'bench-session', amount_minor: amount, at: now, dealer_id: 'dealer-anna',
    };
    storage.transactionSync(() => {
      must('reserveHold', wallet.reserveHold({ hold_id: holdId, currency: CURRENCY, amount_minor: amount, expires_at: now + HOLD_TTL_MAX_MS, ref: `${bet.table_id}:${bet.round_id}` }));
      rewards.tableBetPlaced(holdId, CURRENCY, bet);
    });
    storage.transactionSync(() => {
      const r = must('settleBet', wallet.settleBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: returned }));
      if (r.state === 'posted') rewards.tableBetSettled(holdId, CURRENCY, r.returned_minor, { ...bet, result, at: now + 1 });
    });
  }
}

export class RewardsBenchDO extends DurableObject<BenchEnv> {
  private parts: Parts | null = null;
  private set: SetName = 'none';
  private done = 0;

  private ensure(set: SetName): Parts {
    if (this.parts && this.set === set) return this.parts;
    this.set = set;
    this.parts = build(this.ctx.storage, set);
    migrate(this.parts.c.db, PLAYER_MIGRATIONS, this.ctx.storage);
    return this.parts;
  }

  setup(set: SetName) {
    const { c, profile, wallet } = this.ensure(set);
    return this.ctx.storage.transactionSync(() => {
      if (!c.profile()) {
        const playerId = uuidv7(c.now());
        must('register', profile.register({
          player_id: playerId, email: `bench-${playerId}@example.com`, password_hash: 'bench-not-a-hash', date_of_birth: '1990-01-15',
          country: 'MT', jurisdiction: 'MT', currency: CURRENCY, acquisition_source: null, config_version: 'bench',
        }));
      }
      const eur = wallet.balances().find((b) => b.currency === CURRENCY);
      if ((eur?.available_minor ?? 0) < FLOAT_MINOR / 2) {
        const dep = must('float deposit', wallet.requestDeposit(`float:${crypto.randomUUID()}`, { deposit_id: uuidv7(c.now()), provider: 'sandbox', currency: CURRENCY, amount_minor: FLOAT_MINOR }));
        must('float complete', wallet.completeDeposit({ deposit_id: dep.deposit.deposit_id, provider: 'sandbox', amount_minor: FLOAT_MINOR, currency: CURRENCY, provider_ref: 'bench-float' }));
      }
      return { set, balances: wallet.balances() };
    });
  }

  bet(set: SetName, n: number) {
    const parts = this.ensure(set);
    bets(this.ctx.storage, parts, n, this.done);
    this.done += n;
    return { set, n };
  }

  count(set: SetName, n: number) {
    this.ensure(set);
    const counts = new Map<string, number>();
    const storage = countingStorage(this.ctx.storage, counts);
    const parts = build(storage, set);
    bets(storage, parts, 1, this.done); // loads the hot state: not counted
    counts.clear();
    bets(storage, parts, n, this.done + 1);
    this.done += n + 1;
    this.parts?.c.forgetCaches();
    this.parts = null; // written behind its back: rebuilt (and its hot state reloaded) on the next call
    return { set, n, ...statementReport(counts, n) };
  }

  audit(set: SetName) {
    const { wallet, rewards, c } = this.ensure(set);
    const grants = c.db.first<{ n: number }>`select count(*) as n from rewards_grants`!.n;
    // the engine's state row is rewritten whole by each evaluated event: its size is much of what rules cost;
    // the idempotency memory's full chunks are rows of their own (migration 16), written once per 64 events
    const state = c.db.first<{ state_bytes: number; marks_bytes: number }>`select length(state) as state_bytes, length(marks) as marks_bytes from rewards_state where id = 1`;
    const chunks = c.db.first<{ n: number; bytes: number }>`select count(*) as n, coalesce(sum(length(ids)), 0) as bytes from rewards_seen_chunks`!;
    // and distinct counters' values rows of their own (migration 19), one insert per value added
    const values = c.db.first<{ n: number; bytes: number }>`select count(*) as n, coalesce(sum(length(counter) + length(period) + length(value)), 0) as bytes from reward_counter_values`!;
    return {
      problems: [...wallet.audit(), ...rewards.verifyHotState()], grants, rule_set: rewards.view().rule_set, bets: this.done,
      state_bytes: state?.state_bytes ?? 0, marks_bytes: state?.marks_bytes ?? 0, memory_chunk_rows: chunks.n, memory_chunk_bytes: chunks.bytes,
      counter_value_rows: values.n, counter_value_bytes: values.bytes,
    };
  }
}

function bad(message: string): Response {
  return Response.json({ error: message }, { status: 400 });
}

export default {
  async fetch(req: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(req.url);
    const q = url.searchParams;
    if (url.pathname === '/health') return new Response('ok');
    const set = (q.get('object') ?? 'none') as SetName;
    if (!SETS.includes(set)) return bad(`object must be one of ${SETS.join(', ')}`);
    const n = Number(q.get('n') ?? '0');
    if (!Number.isInteger(n) || n < 0 || n > MAX_N) return bad(`n must be an integer in 0..${MAX_N}`);
    const stub = env.REWARDS_BENCH.getByName(set);
    try {
      switch (url.pathname) {
        case '/setup': return Response.json(await stub.setup(set));
        case '/bet': return Response.json(await stub.bet(set, n));
        case '/count': return Response.json(await stub.count(set, n));
        case '/audit': return Response.json(await stub.audit(set));
        default: return Response.json({ error: 'not found' }, { status: 404 });
      }
    } catch (err) {
      return Response.json({ error: String((err as Error).stack ?? err) }, { status: 500 });
    }
  },
} satisfies ExportedHandler<BenchEnv>;
