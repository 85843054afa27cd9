/**
 * The export verbs' usage line, apart from command.ts: the CLI prints it for every command, and
 * command.ts pulls in the renderers (pdfkit, fontkit, exceljs), which `wh` loads only for `export`.
 */
export const EXPORT_USAGE = `export <report> --period <YYYY-MM|YYYY-MM-DD> [--jurisdiction <id>] [--brand <id>] [--currency <code>] [--out <dir>] [--format pdf,xlsx,csv] [--env prod]
  export --all --period <YYYY-MM> [--out <dir>]     every report for the period (each jurisdiction; day reports for each day)
  export verify <dir>                               check a delivery's hashes and signature (REPORTS_VERIFY_KEY)
  export list                                       the reports and their schedules
  (<dir>, --out and REPORTS_DIR take a folder or an R2 prefix r2://<bucket>/<prefix>, with the R2_* credentials)`;
