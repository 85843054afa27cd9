/** /ops/alerts: the brand's anomaly alerts (GET .../alerts), resolved with a note (POST .../alerts/{id}/resolve). */
import { api, busy, checkRequired, describe, say } from '../api.js';
import { $, fillRows, h } from '../dom.js';
import { fmtTime } from '../format.js';
import { alertRow } from './dashboard.js';

export async function alertsPage(ctx) {
  const msg = $('#page-msg');
  if (!ctx.brand) { say(msg, 'info', 'You have no brand assigned: ask an admin.'); return; }
  const table = $('#alerts');
  const state = $('#alerts-state');
  state.value = new URLSearchParams(location.search).get('state') === 'resolved' ? 'resolved' : 'open';

  function resolution(a) {
    if (a.state === 'resolved') return h('td', {}, `${a.note ?? ''} — ${a.resolved_by ?? ''}, ${fmtTime(a.resolved_at)}`);
    if (!ctx.can('alert.resolve')) return h('td', {});
    const note = h('input', { 'aria-label': `Note for alert ${a.alert_id}`, name: 'note', required: true, minlength: 3, maxlength: 500, size: 24, placeholder: 'note' });
    const out = h('p', { class: 'msg', role: 'status' });
    const box = h('div', { class: 'row-actions' }, note);
    box.append(h('button', { type: 'button', onclick: () => checkRequired(box, out) && busy(box, async () => {
      try {
        await api('POST', `/v1/ops/brands/${ctx.brand}/alerts/${encodeURIComponent(a.alert_id)}/resolve`, { body: { note: note.value } });
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
