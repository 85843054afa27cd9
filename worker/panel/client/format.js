/** Times and values as the panel shows them (UTC, so every operator reads the same clock). */
import { formatAmount } from '../money';

export { formatAmount };

export function fmtTime(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

export function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}
