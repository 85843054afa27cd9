/**
 * Table chat: players (not spectators) may post short messages, a few per window. Kept briefly
 * (the latest CHAT_KEEP) so newcomers see the conversation; chat is not an event (no money, and
 * it is personal data the warehouse does not need).
 */
import { fail, type Result } from '../../domain/errors';
import type { TableContext } from './context';
import { chatHandle } from './fanout';

export const CHAT_MAX_CHARS = 200;
export const CHAT_WINDOW_MS = 10_000;
export const CHAT_PER_WINDOW = 5;
const CHAT_KEEP = 100;

export type ChatLine = { from: string; text: string; at: number };

export class Chat {
  constructor(private readonly c: TableContext) {}

  recent(limit = 20): ChatLine[] {
    return this.c.db.all<{ player_id: string; text: string; at: number }>`select player_id, text, at from chat order by chat_id desc limit ${limit}`
      .reverse().map((r) => ({ from: chatHandle(r.player_id), text: r.text, at: r.at }));
  }

  post(playerId: string, raw: unknown): Result<{ line: ChatLine }> {
    // eslint-disable-next-line no-control-regex
    const text = typeof raw === 'string' ? raw.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() : '';
    if (text.length === 0) return fail('validation_failed', 'a chat message needs text');
    if ([...text].length > CHAT_MAX_CHARS) return fail('validation_failed', `chat messages are limited to ${CHAT_MAX_CHARS} characters`);
    const now = this.c.now();
    const rate = this.c.db.first<{ window_start: number; count: number }>`select window_start, count from chat_rate where player_id = ${playerId}`;
    if (rate && now - rate.window_start < CHAT_WINDOW_MS && rate.count >= CHAT_PER_WINDOW) {
      return fail('rate_limited', `at most ${CHAT_PER_WINDOW} messages per ${CHAT_WINDOW_MS / 1000} s`, { retry_after_ms: rate.window_start + CHAT_WINDOW_MS - now });
    }
    if (!rate || now - rate.window_start >= CHAT_WINDOW_MS) {
      this.c.db.run`insert into chat_rate (player_id, window_start, count) values (${playerId}, ${now}, 1)
        on conflict (player_id) do update set window_start = ${now}, count = 1`;
    } else {
      this.c.db.run`update chat_rate set count = count + 1 where player_id = ${playerId}`;
    }
    this.c.db.run`insert into chat (player_id, text, at) values (${playerId}, ${text}, ${now})`;
    this.c.db.run`delete from chat where chat_id <= (select max(chat_id) from chat) - ${CHAT_KEEP}`;
    return { ok: true, line: { from: chatHandle(playerId), text, at: now } };
  }
}

/**
 * A rewards shout-out as the table shows it (durable/player/channel.ts sends it after the grant
 * commits): the rule's template with `{player}` as the player's chat handle (never their id), one
 * line of at most CHAT_MAX_CHARS. Not kept in the chat history: it is the rules speaking, not a player.
 */
export function shoutOutLine(playerId: string, template: string, at: number): { player: string; text: string; at: number } {
  const player = chatHandle(playerId);
  // eslint-disable-next-line no-control-regex
  const text = [...template.replaceAll('{player}', player).replace(/[\u0000-\u001f\u007f]/g, ' ').trim()].slice(0, CHAT_MAX_CHARS).join('');
  return { player, text, at };
}
