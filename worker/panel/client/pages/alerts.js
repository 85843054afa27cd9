/**
 * /ops/alerts: the brand's alerts (GET .../alerts): the edge's anomaly alerts and the warehouse's AML
 * alerts (rule aml.*), resolved with a decision and a note (POST .../alerts/{id}/resolve). The
 * decision (docs/aml.md) is required for AML alerts, optional for the others.
 */
import { ALERT_DECISIONS, isAmlAlertRule } from '../../../../domain/aml';
import { api, busy, checkRequired, describe, say } from '../api.js';
import { $, fillRows, h } from '../dom.js';
import { fmtTime } from '../format.js';
import { alertRow } from './dashboard.js';

/** What each decision means, in the operator's words (docs/aml.md). */
const DECISION_LABELS = {
  no_action: 'No action (explained)',
  false_positive: 'False positive',
  escalated: 'Escalated to the MLRO',
  reported: 'Reported (SAR/STR filed)',
};

export async function alertsPage(ctx) {
  const msg = $('#page-msg');
  if (!ctx.brand) { say(msg, 'info', 'You have no brand assigned: ask an admin.'); return; }
  const table = $('#alerts');
  const state = $('#alerts-state');
  state.value = new URLSearchParams(location.search).get('state') === 'resolved' ? 'resolved' : 'open';

  function resolution(a) {
    if (a.state === 'resolved') {
      const decided = a.decision ? `${DECISION_LABELS[a.decision] ?? a.decision}: ` : '';
      return h('td', {}, `${decided}${a.note ?? ''} — ${a.resolved_by ?? ''}, ${fmtTime(a.resolved_at)}`);
    }
    if (!ctx.can('alert.resolve')) return h('td', {});
    const aml = isAmlAlertRule(a.rule);
    // AML alerts need a decision (the suspicious-activity report shows it); anomaly alerts may have one
    const decision = h('select', { 'aria-label': `Decision for alert ${a.alert_id}`, name: 'decision', required: aml },
      h('option', { value: '' }, aml ? 'decision…' : 'no decision'),
      ...ALERT_DECISIONS.map((d) => h('option', { value: d }, DECISION_LABELS[d])));
    const note = h('input', { 'aria-label': `Note for alert ${a.alert_id}`, name: 'note', required: true, minlength: 3, maxlength: 500, size: 24, placeholder: 'note' });
    const out = h('p', { class: 'msg', role: 'status' });
    const box = h('div', { class: 'row-actions' }, decision, note);
    box.append(h('button', { type: 'button', onclick: () => checkRequired(box, out) && busy(box, async () => {
      try {
        const body = decision.value ? { note: note.value, decision: decision.value } : { note: note.value };
        await api('POST', `/v1/ops/brands/${ctx.brand}/alerts/${encodeURIComponent(a.alert_id)}/resolve`, { body });
        await load();
      } catch (e) { say(out, 'error', describe(e)); }
    }) }, 'Resolve'));
    return h('td', {}, box, out);
  }

  async function load() {
    try {
      const r = await api('GET', `/v1/ops/brands/${ctx.brand}/alerts`, { query: { state: state.value, limit: 100 } });
      fillRows(table, r.alerts.map((a) => alertRow(a, [resolution(a)])), state.value === 'open' ? 'No open alerts.' : 'No resolved alerts.');
    } catch (e) { say(msg, 'error', describe(e)); }
  }
  $('#alerts-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const u = new URL(location.href);
    u.searchParams.set('state', state.value);
    history.replaceState(null, '', u);
    load();
  });
  await load();
}
