/** Times and values as the panel shows them (UTC, so every operator reads the same clock). */
import { formatAmount } from '../money';
import { formatTime } from '../time';

export { formatAmount };

export function fmtTime(ms) {
  return formatTime(ms);
}

export function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}
