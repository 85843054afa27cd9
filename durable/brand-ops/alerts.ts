/**
 * Alerts of the brand: raised by the anomaly rules (anomaly-rules.ts) or published by the
 * warehouse's AML rules (raiseAml, rule `aml.<rule>`), read and resolved by operators. Each rule
 * instance has a dedupe key, so a replayed or re-ordered event (or a re-sent AML alert) never raises
 * a second alert; raising appends `ops.alert.raised` to the outbox in the same transaction. Resolving
 * records the operator's decision (domain/aml.ts; required for AML alerts) and appends
 * `ops.alert.resolved` in the same transaction as the state change.
 */
import { ALERT_DECISIONS, isAlertDecision, isAmlAlertRule, type AlertDecision } from '../../domain/aml';
import type { AmlAlertItem, AmlRaiseOutcome } from '../../domain/aml-publish';
import { BACKOFFICE_CONFIG } from '../../domain/backoffice';
import { fail, type Result } from '../../domain/errors';
import { uuidv7 } from '../../domain/ids';
import { isCurrency } from '../../domain/money';
import type { OpsContext } from './context';
import { clampLimit, QUEUE_LIMIT_MAX, scopeParams } from './paging';
import type { Alert, AlertQuery, AnomalyRule, Scope } from './types';

export const EVIDENCE_IDS_MAX = 20;
const NOTE_CHARS_MAX = 2000;
const ACTOR_CHARS_MAX = 200;

export type RaiseInput = {
  /** One alert per key, ever: e.g. `large_win:<player>:<win_id>`. */
  dedupe_key: string;
  rule: AnomalyRule;
  player_id: string;
  jurisdiction: string;
  currency: string | null;
  summary: string;
  evidence: string[];
  occurred_at: number;
};

type AlertRow = Omit<Alert, 'evidence' | 'vip'> & { seq: number; evidence: string; vip: number };

/** An alert's currency in an event envelope: only a currency the platform knows. */
const envelopeCurrency = (c: string | null) => (c !== null && isCurrency(c) ? c : null);

export class AlertStore {
  constructor(private readonly ctx: OpsContext) {}

  private get db() {
    return this.ctx.db;
  }

  /** Raises the alert unless its key was raised before; true when raised now. */
  raise(a: RaiseInput): boolean {
    if (a.evidence.length === 0 || a.evidence.length > EVIDENCE_IDS_MAX) throw new Error(`invariant: alert evidence of ${a.evidence.length} events`);
    const severity = BACKOFFICE_CONFIG.anomaly_rules[a.rule].severity;
    const now = this.ctx.now();
    const alertId = uuidv7(now);
    // `returning` rather than rowsWritten: the autoincrement bookkeeping counts as a write even when nothing is inserted.
    const inserted = this.db.all<{ seq: number }>`insert into alerts (alert_id, dedupe_key, rule, severity, player_id, jurisdiction, currency, summary,
        evidence, state, occurred_at, raised_at)
      values (${alertId}, ${a.dedupe_key}, ${a.rule}, ${severity}, ${a.player_id}, ${a.jurisdiction}, ${a.currency}, ${a.summary},
        ${JSON.stringify(a.evidence)}, 'open', ${a.occurred_at}, ${now})
      on conflict (dedupe_key) do nothing returning seq`;
    if (inserted.length === 0) return false;
    this.ctx.outbox.emit('ops.alert.raised', { alert_id: alertId, brand: this.ctx.brand()!, rule: a.rule, severity, summary: a.summary },
      { player_id: a.player_id, jurisdiction: a.jurisdiction, currency: envelopeCurrency(a.currency) }, now);
    return true;
  }

  /**
   * Raises an AML alert the warehouse published, under the warehouse's own alert_id (so the decision
   * joins back onto marts.aml_alerts), once per alert_id ever: a re-sent alert changes nothing, even
   * when its summary moved or it was resolved. Its jurisdiction is the brand index's when the player
   * is known here (operators are scoped by it), else the warehouse's. occurred_at is the window's end.
   */
  raiseAml(item: AmlAlertItem): AmlRaiseOutcome {
    const known = this.db.first<{ jurisdiction: string; currency: string }>`select jurisdiction, currency from players where player_id = ${item.player_id}`;
    const jurisdiction = known?.jurisdiction ?? item.jurisdiction;
    if (!jurisdiction) return 'unknown_player';
    const currency = known?.currency ?? item.currency;
    const rule = `aml.${item.rule}` as const;
    const now = this.ctx.now();
    const inserted = this.db.all<{ seq: number }>`insert into alerts (alert_id, dedupe_key, rule, severity, player_id, jurisdiction, currency, summary,
        evidence, state, occurred_at, raised_at)
      values (${item.alert_id}, ${`aml:${item.alert_id}`}, ${rule}, ${item.severity}, ${item.player_id}, ${jurisdiction}, ${currency}, ${item.summary},
        '[]', 'open', ${item.window_end}, ${now})
      on conflict do nothing returning seq`;
    if (inserted.length === 0) return 'duplicate';
    this.ctx.outbox.emit('ops.alert.raised', { alert_id: item.alert_id, brand: this.ctx.brand()!, rule, severity: item.severity, summary: item.summary },
      { player_id: item.player_id, jurisdiction, currency: envelopeCurrency(currency) }, now);
    return 'raised';
  }

  get(alertId: string): Alert | null {
    const row = this.db.first<AlertRow>`select a.*, coalesce(p.vip, 0) as vip
      from alerts a left join players p on p.player_id = a.player_id where a.alert_id = ${alertId}`;
    return row ? alertView(row) : null;
  }

  /** Newest first; `before` (an alert_id) continues after that alert. */
  list(opts: AlertQuery): Alert[] {
    const s = scopeParams(opts);
    const state = opts.state ?? null;
    const rule = opts.rule ?? null;
    const before = opts.before ?? null;
    const rows = this.db.all<AlertRow>`select a.*, coalesce(p.vip, 0) as vip
      from alerts a left join players p on p.player_id = a.player_id
      where (${state} is null or a.state = ${state}) and (${rule} is null or a.rule = ${rule})
        and (${s.all} = 1 or a.jurisdiction in (select value from json_each(${s.list})))
        and (${s.vip} is null or coalesce(p.vip, 0) = ${s.vip})
        and (${before} is null or a.seq < (select seq from alerts where alert_id = ${before}))
      order by a.seq desc
      limit ${clampLimit(opts.limit, QUEUE_LIMIT_MAX)}`;
    return rows.map(alertView);
  }

  /**
   * Closes an open alert with the operator's decision and note; an alert is resolved once. The
   * decision is one of ALERT_DECISIONS, required for AML alerts. Checked before anything is written:
   * a refusal changes nothing. The state change and `ops.alert.resolved` commit together (the RPC's
   * transaction).
   */
  resolve(alertId: string, actor: string, note: string, decision: string | null = null): Result<{ alert: Alert }> {
    if (actor.length === 0 || actor.length > ACTOR_CHARS_MAX) return fail('validation_failed', `actor must be 1-${ACTOR_CHARS_MAX} characters`);
    if (note.length > NOTE_CHARS_MAX) return fail('validation_failed', `note must be at most ${NOTE_CHARS_MAX} characters`);
    if (decision !== null && !isAlertDecision(decision)) {
      return fail('invalid_decision', `decision must be one of ${ALERT_DECISIONS.join(', ')}`, { decisions: [...ALERT_DECISIONS] });
    }
    const current = this.get(alertId);
    if (!current) return fail('alert_not_found');
    if (current.state !== 'open') {
      return fail('invalid_state', `alert is ${current.state}`, { resolved_by: current.resolved_by, resolved_at: current.resolved_at, decision: current.decision });
    }
    if (decision === null && isAmlAlertRule(current.rule)) {
      return fail('decision_required', `an AML alert needs a decision: one of ${ALERT_DECISIONS.join(', ')}`, { decisions: [...ALERT_DECISIONS] });
    }
    const now = this.ctx.now();
    this.db.run`update alerts set state = 'resolved', resolved_at = ${now}, resolved_by = ${actor}, note = ${note}, decision = ${decision}
      where alert_id = ${alertId} and state = 'open'`;
    // the note stays in the audit log (free text may name people): the event carries the decision only
    this.ctx.outbox.emit('ops.alert.resolved', {
      alert_id: alertId, brand: this.ctx.brand()!, rule: current.rule, decision: decision as AlertDecision | null, actor, resolved_at: now,
    }, { player_id: current.player_id, jurisdiction: current.jurisdiction, currency: envelopeCurrency(current.currency) }, now);
    return { ok: true, alert: this.get(alertId)! };
  }

  countOpen(scope: Scope): number {
    const s = scopeParams(scope);
    return this.db.first<{ n: number }>`select count(*) as n from alerts a left join players p on p.player_id = a.player_id
      where a.state = 'open'
        and (${s.all} = 1 or a.jurisdiction in (select value from json_each(${s.list})))
        and (${s.vip} is null or coalesce(p.vip, 0) = ${s.vip})`!.n;
  }
}

function alertView(r: AlertRow): Alert {
  return {
    alert_id: r.alert_id,
    rule: r.rule,
    severity: r.severity,
    player_id: r.player_id,
    jurisdiction: r.jurisdiction,
    vip: r.vip === 1,
    currency: r.currency,
    summary: r.summary,
    evidence: JSON.parse(r.evidence) as string[],
    state: r.state,
    occurred_at: r.occurred_at,
    raised_at: r.raised_at,
    resolved_at: r.resolved_at,
    resolved_by: r.resolved_by,
    note: r.note,
    decision: r.decision,
  };
}
