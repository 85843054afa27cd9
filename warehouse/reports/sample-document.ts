/**
 * A ReportDocument for renderer tests: names in Japanese, Ukrainian and Greek, currencies with 0, 2
 * and 8 decimals (JPY, EUR/GBP/UAH, BTC), enough rows to run over several pages, a chart, totals
 * per currency and an empty section. Renderer tests check their output against these values.
 */
import type { Cell, MoneyCell, ReportDocument } from './document';

const money = (minor: bigint, currency: string, exponent: number): MoneyCell => ({ minor, currency, exponent });

/** Players whose names a renderer must draw with embedded fonts. */
export const SAMPLE_NAMES = ['山田 太郎', 'さくら カタカナ', 'Ґанна Їжакевич', 'Євгенія Іваненко', 'Γιώργος Παπαδόπουλος', 'Zoë Brontë-Øster'];

const CURRENCIES: [string, number][] = [['EUR', 2], ['GBP', 2], ['JPY', 0], ['UAH', 2], ['BTC', 8]];

function playerRows(n: number): Cell[][] {
  const rows: Cell[][] = [];
  for (let i = 0; i < n; i++) {
    const name = SAMPLE_NAMES[i % SAMPLE_NAMES.length]!;
    const [currency, exponent] = CURRENCIES[i % CURRENCIES.length]!;
    rows.push([`p-${String(i + 1).padStart(4, '0')}`, name, currency, money(BigInt(1000 + i * 137), currency, exponent), BigInt(i % 7), `2026-10-${String((i % 31) + 1).padStart(2, '0')}`]);
  }
  return rows;
}

export const SAMPLE_DOCUMENT: ReportDocument = {
  report_id: 'sample',
  title: 'Sample return — 月次報告 — Щомісячний звіт',
  audience: 'Malta Gaming Authority',
  params: { period: { kind: 'month', label: '2026-10', start: '2026-10-01', end: '2026-11-01' }, jurisdiction: 'MT' },
  generated_at: '2026-11-02T06:00:00.000Z',
  events_through: '2026-11-02T05:59:12.000Z',
  models: [
    { model: 'marts.rpt_gaming_revenue_monthly', version: '3f2a9c1b', fresh_through: '2026-11-02T05:00:00.000Z' },
    { model: 'marts.rpt_player_funds_monthly', version: '9b81d0e4', fresh_through: '2026-11-02T05:00:00.000Z' },
  ],
  missing_days: ['2026-10-14'],
  sections: [
    {
      id: 'revenue',
      title: 'Gaming revenue by game type',
      description: 'Stakes, wins and GGR per game type and currency.',
      columns: [
        { name: 'game_type', label: 'Game type', type: 'text' },
        { name: 'currency', label: 'Currency', type: 'text' },
        { name: 'bets', label: 'Bets', type: 'integer', total: true },
        { name: 'stakes_minor', label: 'Stakes', type: 'money', total: true },
        { name: 'ggr_minor', label: 'GGR', type: 'money', total: true },
        { name: 'duty_rate_max', label: 'Duty rate', type: 'percent', scale: 2 },
        { name: 'ggr_eur', label: 'GGR (EUR)', type: 'decimal', scale: 2, total: true },
      ],
      rows: [
        ['live_roulette', 'EUR', 1200n, money(1_234_567n, 'EUR', 2), money(61_728n, 'EUR', 2), 0.05, 617.28],
        ['live_baccarat', 'EUR', 800n, money(987_654n, 'EUR', 2), money(-12_345n, 'EUR', 2), 0.05, -123.45],
        ['slots', 'BTC', 40n, money(150_000_000n, 'BTC', 8), money(2_500_000n, 'BTC', 8), 0.05, 2075.5],
        ['slots', 'JPY', 10n, money(500_000n, 'JPY', 0), money(25_000n, 'JPY', 0), 0.05, 153.4],
      ],
      totals: [
        { label: 'Total EUR', currency: 'EUR', cells: [null, 'EUR', 2000n, money(2_222_221n, 'EUR', 2), money(49_383n, 'EUR', 2), null, 493.83] },
        { label: 'Total BTC', currency: 'BTC', cells: [null, 'BTC', 40n, money(150_000_000n, 'BTC', 8), money(2_500_000n, 'BTC', 8), null, 2075.5] },
        { label: 'Total JPY', currency: 'JPY', cells: [null, 'JPY', 10n, money(500_000n, 'JPY', 0), money(25_000n, 'JPY', 0), null, 153.4] },
      ],
      chart: {
        kind: 'bar',
        title: 'GGR by game type (EUR)',
        categories: ['live_roulette', 'live_baccarat', 'slots'],
        series: [{ label: 'GGR (EUR)', values: [617.28, -123.45, 2228.9] }],
        unit: 'EUR',
      },
    },
    {
      id: 'players',
      title: 'Players — プレイヤー — Гравці',
      description: 'One row per player, long enough to run over several pages.',
      columns: [
        { name: 'player_id', label: 'Player', type: 'text' },
        { name: 'name', label: 'Name', type: 'text' },
        { name: 'currency', label: 'Currency', type: 'text' },
        { name: 'balance_minor', label: 'Balance', type: 'money', total: true },
        { name: 'limits', label: 'Limits set', type: 'integer', total: true },
        { name: 'first_seen', label: 'First seen', type: 'date' },
      ],
      rows: playerRows(120),
      totals: [],
    },
    {
      id: 'suspicious',
      title: 'Suspicious activity',
      columns: [
        { name: 'alert_id', label: 'Alert', type: 'text' },
        { name: 'decided_at', label: 'Decided at', type: 'timestamp' },
      ],
      rows: [],
      totals: [],
      empty_text: 'No suspicious activity was detected in the period.',
    },
  ],
  footnotes: ['Duty at the rate effective on each day (seeds.gaming_duty_rates, with its legal source).', 'Amounts in € £ ¥ ₴ and ₿ are shown in their own currency.'],
};
