/**
 * BrandOpsDO: the back office's live state of one brand, named `ops:<brand>` (brandOpsName). Each
 * PlayerDO relays its snapshot and new events here (at least once, in any order); from them this
 * object keeps a searchable player index, the KYC, withdrawal and adjustment work queues, and the
 * anomaly alerts. It owns no money and decides nothing: every decision stays with the PlayerDO,
 * whose events then move the queues here.
 *
 * Each RPC is one SQLite transaction (no await inside); raising an alert and its outbox event
 * commit together. Reads take the caller's jurisdiction scope: the worker authorizes, this object
 * filters.
 */
import { DurableObject } from 'cloudflare:workers';
import { AML_BATCH_MAX, type AmlAlertItem, type AmlAlertResult } from '../../domain/aml-publish';
import type { Result } from '../../domain/errors';
import type { OutboxRow } from '../lib/outbox';
import { OUTBOX_RETENTION_MS, OutboxShipper, objectShipper } from '../lib/shipper';
import { migrate } from '../lib/sql';
import { AlertStore } from './alerts';
import { AnomalyDetector } from './anomaly-rules';
import { OpsContext } from './context';
import { GameStats, type GameRtpQuery, type GameRtpReport } from './game-stats';
import { checkBatch, Ingest } from './ingest';
import { PlayerIndex } from './player-index';
import { WorkQueues } from './queues';
import { RuleSetStore, type ActiveRuleSet, type RuleSetVersion } from './rule-sets';
import { HOUSEKEEPING_INTERVAL_MS, purgeExpired } from './retention';
import { BRAND_OPS_MIGRATIONS } from './schema';
import type {
  AdjustmentQueueItem, Alert, AlertQuery, IngestResult, KycQueueItem, OpsCounts, PlayerPage, PlayerSearch, PlayerSnapshot,
  QueueQuery, RelayBatch, Scope, WithdrawalQueueItem, WithdrawalQueueQuery,
} from './types';

const ALARM_BATCH_MAX = 100;
const OUTBOX_PAGE_MAX = 1000;
/** When a housekeeping run could not purge everything, the next one comes this soon. */
const HOUSEKEEPING_CATCH_UP_MS = 60_000;

export class BrandOpsDO extends DurableObject<Env> {
  private readonly c: OpsContext;
  private readonly index: PlayerIndex;
  private readonly queues: WorkQueues;
  private readonly alertStore: AlertStore;
  private readonly ingestion: Ingest;
  private readonly gameStats: GameStats;
  private readonly ruleSets: RuleSetStore;
  private readonly shipper: OutboxShipper;
  private housekeepingScheduled = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.c = new OpsContext(ctx.storage);
    this.index = new PlayerIndex(this.c);
    this.queues = new WorkQueues(this.c);
    this.alertStore = new AlertStore(this.c);
    this.gameStats = new GameStats(this.c);
    this.ruleSets = new RuleSetStore(this.c);
    this.ingestion = new Ingest(this.c, this.index, this.queues, new AnomalyDetector(this.c, this.alertStore), this.gameStats);
    // Only the outbox() RPC reads this outbox (alerts live in their own table): shipped rows go after the retention.
    this.shipper = objectShipper(this.c, ctx, env.EVENTS, 'brand-ops', OUTBOX_RETENTION_MS);
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.c.db, BRAND_OPS_MIGRATIONS, ctx.storage);
      this.shipper.init();
      const named = /^ops:(.+)$/.exec(ctx.id.name ?? '');
      if (named && this.c.brand() === null) this.c.setBrand(named[1]!);
      this.c.schedules.rearm();
    });
  }

  /**
   * Every transaction goes through ObjectContext.tx: one that throws (rolled back, its alarm write
   * with it) makes the schedules forget the alarm time they remember, so the next job re-arms it.
   */
  private tx<T>(fn: () => T): T {
    return this.c.tx(fn);
  }

  // ---- relay ---------------------------------------------------------------------------------

  /** Applies a relayed batch once per event_id; throws on a malformed batch or another brand's player. */
  ingest(batch: RelayBatch): IngestResult {
    const { player, events } = checkBatch(batch);
    const result = this.tx(() => {
      const r = this.ingestion.apply(player, events);
      if (!this.housekeepingScheduled && !this.c.db.first`select 1 from schedules where kind = 'housekeeping'`) {
        this.c.schedules.at('housekeeping', 'daily', this.c.now() + HOUSEKEEPING_INTERVAL_MS);
      }
      return r;
    });
    this.housekeepingScheduled = true;
    return result;
  }

  /** Whether this event_id was applied (and is still remembered). */
  seen(eventId: string): boolean {
    return this.tx(() => this.c.db.first<{ n: number }>`select count(*) as n from seen where event_id = ${eventId}`!.n > 0);
  }

  // ---- players -------------------------------------------------------------------------------

  player(playerId: string): PlayerSnapshot | null {
    return this.tx(() => this.index.get(playerId));
  }

  search(opts: PlayerSearch = {}): PlayerPage {
    return this.tx(() => this.index.search(opts));
  }

  /** The brand's players in registration order, at most 10,000. */
  exportPlayers(opts: Scope = {}): PlayerSnapshot[] {
    return this.tx(() => this.index.export(opts));
  }

  // ---- work queues ---------------------------------------------------------------------------

  kycQueue(opts: QueueQuery = {}): KycQueueItem[] {
    return this.tx(() => this.index.kycQueue(opts));
  }

  withdrawalQueue(opts: WithdrawalQueueQuery = {}): WithdrawalQueueItem[] {
    return this.tx(() => this.queues.withdrawals(opts));
  }

  adjustmentQueue(opts: QueueQuery = {}): AdjustmentQueueItem[] {
    return this.tx(() => this.queues.adjustments(opts));
  }

  counts(opts: Scope = {}): OpsCounts {
    return this.tx(() => ({ ...this.queues.counts(opts), alerts_open: this.alertStore.countOpen(opts) }));
  }

  // ---- alerts --------------------------------------------------------------------------------

  alerts(opts: AlertQuery = {}): Alert[] {
    return this.tx(() => this.alertStore.list(opts));
  }

  alert(alertId: string): Alert | null {
    return this.tx(() => this.alertStore.get(alertId));
  }

  /** decision: domain/aml.ts ALERT_DECISIONS, required for AML alerts; a refusal changes nothing. */
  resolveAlert(alertId: string, actor: string, note: string, decision: string | null = null): Result<{ alert: Alert }> {
    return this.tx(() => this.alertStore.resolve(alertId, actor, note, decision));
  }

  /**
   * AML alerts the warehouse published (POST /internal/v1/aml-alerts, docs/aml.md), all of this
   * brand, in one transaction: each is raised once per alert_id; a re-sent one changes nothing.
   */
  raiseAmlAlerts(items: AmlAlertItem[]): AmlAlertResult[] {
    if (items.length > AML_BATCH_MAX) throw new Error(`invariant: ${items.length} AML alerts in one call`);
    return this.tx(() => {
      const brand = this.c.brand();
      for (const i of items) if (i.brand !== brand) throw new Error(`invariant: an AML alert of brand ${i.brand} sent to ops:${brand}`);
      return items.map((i) => ({ alert_id: i.alert_id, outcome: this.alertStore.raiseAml(i) }));
    });
  }

  // ---- observed RTP of provider games -------------------------------------------------------

  /** Per game and currency, the sums of the rolling windows (1h, 24h, 7d, 30d) ending now. */
  gameRtp(q: GameRtpQuery = {}): GameRtpReport {
    return this.tx(() => this.gameStats.report(q));
  }

  // ---- rewards rule set versions (rule-sets.ts; the routes authorize, this object keeps) ---------

  ruleSetVersions(limit?: number): { versions: RuleSetVersion[]; active_version: number | null } {
    return this.tx(() => this.ruleSets.list(limit));
  }

  ruleSetVersion(version: number) {
    return this.tx(() => this.ruleSets.get(version));
  }

  createRuleSetDraft(input: unknown, actor: string, reason: string | null, basedOn: number | null) {
    return this.tx(() => this.ruleSets.createDraft(input, actor, reason, basedOn));
  }

  publishRuleSet(version: number, actor: string) {
    return this.tx(() => this.ruleSets.publish(version, actor));
  }

  changeRule(ruleId: string, status: 'paused' | 'retired', actor: string, reason: string) {
    return this.tx(() => this.ruleSets.changeRule(ruleId, status, actor, reason));
  }

  retireRuleSet(version: number, actor: string) {
    return this.tx(() => this.ruleSets.retire(version, actor));
  }

  /** The player objects' poll (durable/player/rule-source.ts): tiny unless the live version changed. */
  activeRuleSet(known: number | null): ActiveRuleSet {
    return this.ruleSets.active(known);
  }

  outbox(afterSeq = 0, limit = 100): OutboxRow[] {
    return this.tx(() => this.c.outbox.list(afterSeq, Math.max(1, Math.min(limit, OUTBOX_PAGE_MAX))));
  }

  // ---- alarm ---------------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    this.tx(() => {
      for (const job of this.c.schedules.takeDue(this.c.now(), ALARM_BATCH_MAX)) {
        if (!this.shipper.handle(job.kind)) this.runJob(job.kind);
      }
      this.c.schedules.rearm();
    });
    await this.shipper.afterAlarm();
  }

  private runJob(kind: string): void {
    switch (kind) {
      case 'housekeeping': {
        const more = purgeExpired(this.c);
        this.c.schedules.at('housekeeping', 'daily', this.c.now() + (more ? HOUSEKEEPING_CATCH_UP_MS : HOUSEKEEPING_INTERVAL_MS));
        break;
      }
      default: throw new Error(`invariant: unknown scheduled job ${kind}`);
    }
  }
}
