/** The panel's one stylesheet, served from /ops/assets/panel.css (the CSP allows no inline styles). */
export const PANEL_CSS = `
:root { --fg: #1d2430; --muted: #5b6677; --line: #d7dce4; --bg: #f6f7f9; --card: #fff; --accent: #1f5fbf;
  --ok: #1d7a3a; --warn: #8a5a00; --bad: #b3261e; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; color: var(--fg); background: var(--bg); font-size: 15px; line-height: 1.45; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #7aa7ff; outline-offset: 1px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 10; }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 24px; padding: 10px 20px; background: #13233f; color: #fff; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand-name { font-weight: 700; margin-right: 8px; }
header.top nav ul { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { text-decoration: underline; text-underline-offset: 4px; }
header.top .who { margin-left: auto; display: flex; align-items: center; gap: 10px; }
header.top select { padding: 2px 4px; }
header.top .muted { color: #c5d0e2; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 20px 48px; }
h1 { font-size: 1.5rem; margin: 8px 0 16px; } h2 { font-size: 1.15rem; margin: 0 0 10px; } h3 { font-size: 1rem; margin: 14px 0 6px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 0 0 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 0 16px; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td code, dd code { font-size: 0.85rem; word-break: break-all; }
.empty { color: var(--muted); font-style: italic; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
dl.counts { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 0; }
dl.counts div { background: #eef3fb; border-radius: 6px; padding: 10px 12px; }
dl.counts dt { color: var(--muted); font-size: 0.85rem; } dl.counts dd { margin: 0; font-size: 1.6rem; font-weight: 700; }
form.inline, .row-actions { display: flex; flex-wrap: wrap; align-items: end; gap: 8px; }
form.stack { display: grid; gap: 8px; max-width: 460px; }
label { display: grid; gap: 2px; font-size: 0.88rem; color: var(--muted); }
label.check { display: flex; align-items: center; gap: 6px; }
input, select, textarea { font: inherit; color: var(--fg); padding: 5px 8px; border: 1px solid #aab3c0; border-radius: 5px; background: #fff; }
input[aria-invalid="true"] { border-color: var(--bad); }
button { font: inherit; padding: 5px 12px; border-radius: 5px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
button:disabled { opacity: 0.55; cursor: progress; }
header.top button { background: transparent; border-color: #fff; color: #fff; }
.msg { margin: 8px 0 0; padding: 6px 10px; border-radius: 5px; }
.msg:empty { display: none; }
.msg.error { background: #fbe9e7; color: var(--bad); border: 1px solid #f2b8b5; }
.msg.ok { background: #e7f5ea; color: var(--ok); border: 1px solid #b5dfbf; }
.msg.info { background: #fff6e0; color: var(--warn); border: 1px solid #f0d9a0; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 0.8rem; background: #e5e8ee; }
.pill.high, .pill.locked, .pill.rejected, .pill.denied, .pill.failed, .pill.self_excluded, .pill.closed { background: #fbe0dd; color: var(--bad); }
.pill.medium, .pill.pending, .pill.requested { background: #fff1cc; color: var(--warn); }
code.refusal { display: inline-block; white-space: nowrap; font-size: 0.8rem; color: var(--bad); }
.pill.verified, .pill.active, .pill.applied, .pill.paid, .pill.allowed, .pill.approved, .pill.resolved { background: #dff2e4; color: var(--ok); }
.secret { font-family: ui-monospace, monospace; font-size: 1.05rem; letter-spacing: 0.06em; word-break: break-all; }
ol.codes { columns: 2; font-family: ui-monospace, monospace; }
img.qr { width: 200px; height: 200px; image-rendering: pixelated; background: #fff; border: 1px solid var(--line); padding: 6px; }
.login { max-width: 520px; margin: 40px auto; }
.muted { color: var(--muted); }
.row { display: flex; flex-wrap: wrap; gap: 8px; }
header.top label.brand-pick { display: flex; align-items: center; gap: 6px; color: #fff; }
.fields .field { display: inline-block; margin: 0 14px 2px 0; }
.fields .field[title] { text-decoration: underline dotted; cursor: help; }
.pager { margin-top: 8px; }
`;
