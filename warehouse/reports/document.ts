/**
 * The contract between the report engine and its renderers.
 *
 * A report is data (models/reports/<id>.yaml, see definition.ts): which marts it reads, its
 * parameters, its layout and schedule. The engine (build.ts) resolves one definition for one set of
 * parameters into a ReportDocument: every figure already read from the marts, typed, with its
 * totals computed once here. The renderers (render/pdf.ts, render/xlsx.ts, render/csv.ts) only lay a
 * document out: they never query, never sum, never round money. So the PDF, the workbook and the
 * CSV of one run cannot disagree, and a test can check any of them against the document.
 *
 * Money stays in integer minor units (bigint) with its currency and exponent to the last step; a
 * renderer turns it into text (PDF, CSV) or a number with the currency's format (XLSX).
 */

/** The calendar period a report covers: a UTC month (`2026-10`) or a UTC day (`2026-10-05`). */
export interface Period {
  kind: 'month' | 'day';
  /** As given on the command line: `2026-10` or `2026-10-05`. */
  label: string;
  /** First day, inclusive, `YYYY-MM-DD`. */
  start: string;
  /** Day after the last, exclusive, `YYYY-MM-DD`. */
  end: string;
}

/** Parameter values of one run. Absent = not a parameter of this report (or "all"). */
export interface ReportParams {
  period: Period;
  jurisdiction?: string;
  brand?: string;
  currency?: string;
}

/** How a column's values are typed and shown. */
export type ColumnType =
  | 'text'
  | 'integer' // counts: bigint
  | 'money' // integer minor units (bigint) + a currency: see MoneyCell
  | 'decimal' // a plain number (a rate, an EUR amount already rounded in the mart): number, `scale` decimals
  | 'percent' // a fraction (0.25 = 25 %): number
  | 'date' // `YYYY-MM-DD` (UTC day)
  | 'timestamp' // ISO 8601 UTC
  | 'boolean';

export interface Column {
  /** The mart's column (or an alias in the section's select). */
  name: string;
  /** Header shown to the reader. */
  label: string;
  type: ColumnType;
  /** Decimals of a 'decimal' or 'percent' column (money takes its currency's exponent). */
  scale?: number;
  /** Whether the totals row sums this column (integer, money and decimal only). */
  total?: boolean;
}

export interface MoneyCell {
  minor: bigint;
  currency: string;
  /** Minor-unit exponent: the amount is minor / 10^exponent (EUR 2, JPY 0, BTC 8). */
  exponent: number;
}

/** One cell; its column's type says which: text/date/timestamp string, integer bigint, decimal/percent number. */
export type Cell = string | bigint | number | boolean | MoneyCell | null;

/**
 * A totals row. Money is summed per currency: a section mixing currencies gets one totals row per
 * currency (`currency` set), never a sum across currencies.
 */
export interface TotalsRow {
  label: string;
  currency?: string;
  /** Aligned with the section's columns; null where a column is not totalled. */
  cells: Cell[];
}

export interface ChartSeries {
  label: string;
  values: number[];
}

/** A chart drawn from a section's rows (values in major units for money). */
export interface Chart {
  kind: 'bar' | 'line';
  title: string;
  /** Category labels along the x axis. */
  categories: string[];
  series: ChartSeries[];
  /** What the values are, e.g. `GGR (EUR)`. */
  unit: string;
}

export interface Section {
  id: string;
  title: string;
  /** A sentence under the title: what the section shows. */
  description?: string;
  columns: Column[];
  rows: Cell[][];
  totals: TotalsRow[];
  chart?: Chart;
  /** Said instead of an empty table (e.g. "No suspicious activity was detected in the period."). */
  empty_text?: string;
}

/** A model the report read, at the version prod pointed to when the report was built. */
export interface ModelVersion {
  model: string;
  /** The runner's physical version (its fingerprint), as `npm run wh -- models` shows it. */
  version: string;
  /** Data built through (exclusive end of its last complete interval), ISO 8601 UTC. */
  fresh_through: string;
}

export interface ReportDocument {
  report_id: string;
  title: string;
  /** e.g. "Malta Gaming Authority" */
  audience: string;
  params: ReportParams;
  /** When this document was built, ISO 8601 UTC. */
  generated_at: string;
  /** The latest event the warehouse holds (raw.events), ISO 8601 UTC: data freshness. */
  events_through: string;
  models: ModelVersion[];
  /**
   * Days of the period with no events at all in the warehouse (a gap in the feed, not a quiet day):
   * the cover says so instead of the tables showing zeros.
   */
  missing_days: string[];
  sections: Section[];
  footnotes: string[];
}
