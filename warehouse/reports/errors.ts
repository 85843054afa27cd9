/**
 * Bad input to a report run, as opposed to a bug or a broken warehouse: the CLI maps every
 * ReportInputError to exit code 2 with its message, and the engine throws it before anything is
 * written. The code is stable so scripts and the schedule loop can tell the cases apart.
 */
export const REPORT_INPUT_CODES = [
  'unknown_report',
  'bad_period',
  'future_period',
  'unknown_jurisdiction',
  'unknown_brand',
  'unknown_currency',
  'unknown_parameter',
  'missing_parameter',
  'stale_models',
] as const;
export type ReportInputCode = (typeof REPORT_INPUT_CODES)[number];

export class ReportInputError extends Error {
  constructor(readonly code: ReportInputCode, message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}
