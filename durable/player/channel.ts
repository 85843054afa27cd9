/**
 * The player channel (docs/rewards.md "Player channel"): `GET /v1/players/me/ws`, a hibernatable
 * WebSocket held by the player's own object, so a reward reaches the player from the object that
 * granted it, with no hop, wherever they play.
 *
 * Delivery follows the transaction: the rewards wiring hands each evaluation's outcomes to
 * `collect` inside the transaction; they wait in memory and go out in `afterCommit`, once the
 * transaction has committed. A rolled-back transaction drops them (`discard`, and the context's
 * forget hook), so no message ever names a grant that did not happen. Suppressions and A/B
 * assignments are never sent (they are for the back office and the warehouse); a player at risk
 * gets the break message, which is what they should see.
 *
 * Shout-outs go to the table named by the grant, after the commit, best effort: one call to the
 * table's object that the transaction does not wait for (the table shows it to everyone watching).
 *
 * Nothing about the sockets is held in memory: the runtime keeps them (tag `session:<id>`) and
 * their attachments across hibernation and restarts, so a fresh instance finds them with
 * `getWebSockets()`.
 */
import { ERROR_STATUS, fail, type Failure, type Result } from '../../domain/errors';
import type { Outcome } from '../../domain/rewards';
import type { RewardsView } from './rewards';

/** What the wiring passes with an evaluation's outcomes: the event they came from, and the rule set that produced them. */
export type OutcomeSource = { event_id: string; table_id: string | null; round_id: string | null; rule_set: { id: string; version: number } };

/** What a table offers the channel: one shout-out line for everyone watching (durable/table/table-do.ts). */
export interface ShoutOutPort {
  shoutOut(input: { player_id: string; template: string; rule_id: string; at: number }): Promise<unknown>;
}

/** Kept on each socket across hibernation. */
type Attachment = { session_id: string; connected_at: number };

/** Every message of the channel protocol, server to client (docs/rewards.md "Player channel"). */
type Common = { source_event_id: string; table_id: string | null; round_id: string | null; at: number };
type Rule = { rule_id: string; rule_version: number; variant: string | null; via: string | null };
export type ChannelMessage =
  | { type: 'rewards.snapshot'; rewards: RewardsView; server_time: number }
  | (Common & Rule & {
    type: 'rewards.grant'; grant_id: string;
    kind: 'xp' | 'points' | 'wheel_spin' | 'free_bet' | 'cashback' | 'message' | 'shout_out';
    amount: number | null; value_minor: number | null; currency: string | null; expires_at: number | null;
    wheel_id: string | null; spin_id: string | null; template: string | null;
  })
  | (Common & Rule & { type: 'rewards.badge'; grant_id: string; badge_id: string })
  | (Common & Rule & {
    type: 'rewards.mission'; grant_id: string; status: 'progress' | 'completed'; mission_id: string;
    step_id: string | null; step_index: number | null; progress: number | null; target: number | null; completions: number | null;
  })
  | (Common & { type: 'rewards.mission'; status: 'expired'; mission_id: string; step_index: number; progress: number; rule_set: { id: string; version: number } })
  | (Common & { type: 'rewards.level'; from_level: number | null; to_level: number; name: string; tier: string; rule_set: { id: string; version: number } })
  | (Common & { type: 'rewards.break'; template: string; reasons: string[]; rule_set: { id: string; version: number } })
  /** A wheel spin spun (POST /v1/players/me/rewards/spins/{spin_id}): the prize and the revealed seed. */
  | { type: 'rewards.wheel_spun'; spin_id: string; wheel_id: string; prize_id: string; kind: string | null; amount: number | null;
    value_minor: number | null; currency: string | null; delivered: boolean; commitment: string; server_seed: string; at: number }
  | { type: 'time'; server_time: number }
  /** Development only (bench E4's floor): answered once a one-key write is durable. */
  | { type: 'floor'; server_time: number }
  | { type: 'error'; code: string; message: string };

/** More connections than this (tabs, devices) close the oldest: a bound on what one player holds open. */
export const MAX_SOCKETS = 8;
const CLIENT_MESSAGE_MAX_BYTES = 512;
const SESSION_TAG = 'session:';
/** Close codes (4000-4999 are the application's). */
export const CLOSE_REPLACED = 4000;
export const CLOSE_SESSION_ENDED = 4001;

/** The messages an evaluation's outcomes become; suppressions and assignments become none. */
export function messagesOf(outcomes: readonly Outcome[], s: OutcomeSource, at: number): ChannelMessage[] {
  const common: Common = { source_event_id: s.event_id, table_id: s.table_id, round_id: s.round_id, at };
  const out: ChannelMessage[] = [];
  for (const o of outcomes) {
    switch (o.type) {
      case 'grant': {
        const rule: Rule = { rule_id: o.source.rule_id, rule_version: o.source.rule_version, variant: o.source.variant, via: o.source.via };
        const g = o.grant;
        if (g.kind === 'badge') out.push({ type: 'rewards.badge', ...common, ...rule, grant_id: o.grant_id, badge_id: g.badge_id });
        else if (g.kind === 'mission_progress') {
          out.push({ type: 'rewards.mission', ...common, ...rule, grant_id: o.grant_id, status: 'progress', mission_id: g.mission_id, step_id: g.step_id, step_index: g.step_index, progress: g.progress, target: g.target, completions: null });
        } else if (g.kind === 'mission_completed') {
          out.push({ type: 'rewards.mission', ...common, ...rule, grant_id: o.grant_id, status: 'completed', mission_id: g.mission_id, step_id: null, step_index: null, progress: null, target: null, completions: g.completions });
        } else {
          out.push({
            type: 'rewards.grant', ...common, ...rule, grant_id: o.grant_id, kind: g.kind,
            amount: g.kind === 'xp' || g.kind === 'points' ? g.amount : null,
            value_minor: g.kind === 'free_bet' || g.kind === 'cashback' ? g.value_minor : null,
            currency: g.kind === 'free_bet' || g.kind === 'cashback' ? g.currency : null,
            expires_at: g.kind === 'free_bet' || g.kind === 'cashback' ? g.expires_at : null,
            wheel_id: g.kind === 'wheel_spin' ? g.wheel_id : null, spin_id: g.kind === 'wheel_spin' ? g.spin_id : null,
            template: g.kind === 'message' || g.kind === 'shout_out' ? g.template : null,
          });
        }
        break;
      }
      case 'level_up': out.push({ type: 'rewards.level', ...common, from_level: o.from_level, to_level: o.to_level, name: o.name, tier: o.tier, rule_set: s.rule_set }); break;
      case 'mission_expired': out.push({ type: 'rewards.mission', ...common, status: 'expired', mission_id: o.mission_id, step_index: o.step_index, progress: o.progress, rule_set: s.rule_set }); break;
      case 'break_message': out.push({ type: 'rewards.break', ...common, template: o.template, reasons: [...o.reasons], rule_set: s.rule_set }); break;
      case 'suppressed':
      case 'assignment': break; // for the back office and the warehouse, not the player
    }
  }
  return out;
}

/** A refusal of the upgrade as the worker turns it into the one error shape (worker/routes/rewards.ts). */
function refusal(f: Failure): Response {
  return Response.json(f, { status: ERROR_STATUS[f.code] });
}

export class PlayerChannel {
  /** Messages of the transaction in progress, sent once it commits. */
  private pending: ChannelMessage[] = [];
  private shoutOuts: { template: string; table_id: string; rule_id: string; at: number }[] = [];
  /** Sessions the transaction in progress ended: their sockets close after it commits. */
  private ended: string[] = [];

  constructor(
    private readonly state: DurableObjectState,
    private readonly now: () => number,
    private readonly playerId: () => string | null,
    private readonly table: (tableId: string) => ShoutOutPort,
    /** Development only: the `floor` message (bench E4) is answered; elsewhere it is an unknown type. */
    private readonly development = false,
  ) {}

  // ---- delivery ---------------------------------------------------------------------------------

  /** Inside the transaction: what it granted, kept until it commits. */
  collect(outcomes: readonly Outcome[], source: OutcomeSource): void {
    const at = this.now();
    this.pending.push(...messagesOf(outcomes, source, at));
    for (const o of outcomes) {
      if (o.type === 'grant' && o.grant.kind === 'shout_out') this.shoutOuts.push({ template: o.grant.template, table_id: o.grant.table_id, rule_id: o.source.rule_id, at });
    }
  }

  /** Inside the transaction: a wheel spin's result, sent once it commits. */
  spun(m: Extract<ChannelMessage, { type: 'rewards.wheel_spun' }>): void {
    this.pending.push(m);
  }

  /** Inside the transaction: a session ended (logout, timeout, exclusion); its sockets close once it commits. */
  sessionEnded(sessionId: string): void {
    this.ended.push(sessionId);
  }

  /** The transaction rolled back: nothing it collected is sent. */
  discard(): void {
    this.pending = [];
    this.shoutOuts = [];
    this.ended = [];
  }

  /** The transaction committed: its messages to every socket of the player, its shout-outs to their tables. */
  afterCommit(): void {
    if (this.pending.length === 0 && this.shoutOuts.length === 0 && this.ended.length === 0) return;
    const [messages, shoutOuts, ended] = [this.pending, this.shoutOuts, this.ended];
    this.discard();
    if (messages.length > 0) {
      const sockets = this.state.getWebSockets();
      for (const m of messages) send(sockets, m);
    }
    for (const sessionId of ended) {
      for (const ws of this.state.getWebSockets(`${SESSION_TAG}${sessionId}`)) close(ws, CLOSE_SESSION_ENDED, 'session ended');
    }
    if (shoutOuts.length === 0) return;
    const playerId = this.playerId();
    if (playerId === null) return;
    for (const s of shoutOuts) {
      // Best effort, never awaited by the bet: a table that does not answer loses the line, not the grant.
      this.state.waitUntil(this.table(s.table_id).shoutOut({ player_id: playerId, template: s.template, rule_id: s.rule_id, at: s.at })
        .then(() => undefined, (err: unknown) => console.warn(`shout-out to ${s.table_id} lost: ${String(err)}`)));
    }
  }

  // ---- sockets ----------------------------------------------------------------------------------

  /**
   * The upgrade, after the worker verified the token: the session must still be open (`snapshot`
   * authenticates it and reads the rewards in one transaction), then the socket is accepted and its
   * first message is the snapshot. Refusals answer the failure as JSON with its status.
   */
  upgrade(request: Request, snapshot: (sessionId: string) => Result<{ rewards: RewardsView }>): Response {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') return refusal(fail('upgrade_required', 'this endpoint takes a WebSocket upgrade'));
    const sessionId = request.headers.get('X-Session-Id');
    if (!sessionId) return refusal(fail('unauthenticated'));
    const r = snapshot(sessionId);
    if (!r.ok) return refusal(r);
    const open = this.state.getWebSockets();
    if (open.length >= MAX_SOCKETS) {
      const oldest = open.map((ws) => ({ ws, at: (ws.deserializeAttachment() as Attachment | null)?.connected_at ?? 0 })).sort((a, b) => a.at - b.at);
      for (const { ws } of oldest.slice(0, open.length - MAX_SOCKETS + 1)) close(ws, CLOSE_REPLACED, 'replaced by a newer connection');
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.state.acceptWebSocket(server, [`${SESSION_TAG}${sessionId}`]);
    server.serializeAttachment({ session_id: sessionId, connected_at: this.now() } satisfies Attachment);
    server.send(JSON.stringify({ type: 'rewards.snapshot', rewards: r.rewards, server_time: this.now() } satisfies ChannelMessage));
    const protocol = request.headers.get('Sec-WebSocket-Protocol')?.split(',').map((p) => p.trim()).includes('casino.v1') ? 'casino.v1' : null;
    return new Response(null, { status: 101, webSocket: client, headers: protocol ? { 'Sec-WebSocket-Protocol': protocol } : {} });
  }

  /**
   * Client messages: `{"type":"snapshot"}` (the session is checked again: an ended one closes the
   * socket) and `{"type":"time"}` (the server's clock, for countdowns). `ping` is answered by the
   * runtime without waking the object.
   */
  message(ws: WebSocket, raw: string | ArrayBuffer, snapshot: (sessionId: string) => Result<{ rewards: RewardsView }>): void {
    const reply = (m: ChannelMessage) => send([ws], m);
    if (typeof raw !== 'string' || raw.length > CLIENT_MESSAGE_MAX_BYTES) return reply({ type: 'error', code: 'validation_failed', message: `send JSON text up to ${CLIENT_MESSAGE_MAX_BYTES} bytes` });
    let msg: { type?: unknown };
    try {
      msg = JSON.parse(raw) as typeof msg;
    } catch {
      return reply({ type: 'error', code: 'malformed_json', message: 'messages are JSON' });
    }
    if (msg?.type === 'time') return reply({ type: 'time', server_time: this.now() });
    if (msg?.type === 'floor' && this.development) {
      // What any message about committed state pays: the runtime holds it until the write is
      // durable (the output gate). One key, overwritten: nothing accumulates.
      this.state.storage.kv.put('channel.floor', this.now());
      return reply({ type: 'floor', server_time: this.now() });
    }
    if (msg?.type === 'snapshot') {
      const who = ws.deserializeAttachment() as Attachment | null;
      const r = who ? snapshot(who.session_id) : fail('unauthenticated');
      if (!r.ok) {
        reply({ type: 'error', code: r.code, message: r.message ?? r.code });
        return close(ws, CLOSE_SESSION_ENDED, 'session ended');
      }
      return reply({ type: 'rewards.snapshot', rewards: r.rewards, server_time: this.now() });
    }
    reply({ type: 'error', code: 'validation_failed', message: "unknown message type (expected 'snapshot' or 'time')" });
  }

  closed(ws: WebSocket, code: number, reason: string): void {
    close(ws, code === 1005 ? 1000 : code, reason);
  }

  /** Open sockets (tests, and the bench's check). */
  sockets(): number {
    return this.state.getWebSockets().length;
  }
}

function send(sockets: readonly WebSocket[], m: ChannelMessage): void {
  if (sockets.length === 0) return;
  const text = JSON.stringify(m);
  for (const ws of sockets) {
    try {
      ws.send(text);
    } catch {
      // closing or closed: nothing to deliver
    }
  }
}

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}
