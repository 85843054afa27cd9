/**
 * WebSocket fan-out with the Hibernation API: sockets are tagged with the player id (or
 * 'spectator'), so a player's own confirmations go only to their sockets, and an idle table holds
 * no memory while connections stay open. Sending never throws into the caller: a dead socket is
 * simply skipped (the runtime closes it).
 */
export type SocketAttachment = { player_id: string | null; session_id: string | null; joined_at: number };

export const SPECTATOR_TAG = 'spectator';

export type TableMessage =
  | { type: 'hello'; [k: string]: unknown }
  | { type: 'round.opened' | 'round.closed' | 'round.result' | 'round.settled' | 'round.voided'; round: unknown; server_time: number }
  | { type: 'bet.accepted' | 'bet.refused' | 'bet.settled'; bet: unknown; available_minor?: number }
  | { type: 'chat'; from: string; text: string; at: number }
  /** A rewards shout-out about a player (their chat handle), from the rule that granted it (chat.ts shoutOutLine). */
  | { type: 'shout_out'; player: string; text: string; rule_id: string; at: number }
  /** Blackjack: the round as everyone sees it, after every move (durable/table/blackjack/). */
  | { type: 'blackjack.round'; round: unknown; server_time: number }
  /** Blackjack: a player's own hand events of a move, with their hands and the actions open to them. */
  | { type: 'blackjack.hand'; round_id: string; events: unknown[]; you: unknown }
  | { type: 'error'; code: string; message: string };

export class Fanout {
  constructor(private readonly state: DurableObjectState) {}

  watchers(): number {
    return this.state.getWebSockets().length;
  }

  toAll(msg: TableMessage): void {
    this.send(this.state.getWebSockets(), msg);
  }

  toPlayer(playerId: string, msg: TableMessage): void {
    this.send(this.state.getWebSockets(playerId), msg);
  }

  private send(sockets: WebSocket[], msg: TableMessage): void {
    if (sockets.length === 0) return;
    const text = JSON.stringify(msg);
    for (const ws of sockets) {
      try {
        ws.send(text);
      } catch {
        // closing or closed: nothing to deliver
      }
    }
  }
}

/** Chat handles are short and not the player id (other players should not learn ids). */
export function chatHandle(playerId: string): string {
  let h = 2166136261;
  for (let i = 0; i < playerId.length; i++) h = Math.imul(h ^ playerId.charCodeAt(i), 16777619);
  return `player-${(h >>> 0).toString(36).padStart(7, '0').slice(0, 6)}`;
}
