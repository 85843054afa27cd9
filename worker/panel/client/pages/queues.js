/**
 * The work queues of the selected brand (GET /v1/ops/brands/{brand}/queues/{kyc,withdrawals,adjustments}),
 * each row decided in place through the player's API with a mandatory reason. The API refuses an
 * operator's own adjustment (403 four_eyes_violation); the row shows it, as every refusal. An empty
 * reason is caught before anything is sent.
 */
import { api, busy, checkRequired, describe, say } from '../api.js';
import { $, fillRows, h, pill } from '../dom.js';
import { fmtTime, formatAmount } from '../format.js';

function playerLink(id) {
  return h('a', { href: `/ops/players/${id}` }, id);
}

/** A reason field, buttons, and a message line for one row; `onDone` reloads the queue. */
function decisionCell(label, buttons, onDone) {
  const reason = h('input', { 'aria-label': `Reason (${label})`, name: 'reason', required: true, minlength: 3, maxlength: 500, size: 22, placeholder: 'reason' });
  const out = h('p', { class: 'msg', role: 'status' });
  const box = h('div', { class: 'row-actions' }, reason);
  for (const b of buttons) {
    box.append(h('button', { type: 'button', class: b.cls, onclick: () => checkRequired(box, out) && busy(box, async () => {
      try {
        await b.run(reason.value);
        say(out, 'ok', `${b.label}: done.`);
        await onDone();
      } catch (e) {
        say(out, 'error', describe(e));
      }
    }) }, b.label));
  }
  return h('td', {}, box, out);
}

async function queuePage(ctx, { queue, perm, render, empty }) {
  const msg = $('#page-msg');
  if (!ctx.brand) { say(msg, 'info', 'You have no brand assigned: ask an admin.'); return; }
  if (!ctx.can(perm)) { say(msg, 'info', `Your role does not include ${perm}.`); return; }
  const table = $('#queue');
  async function load() {
    try {
      const r = await api('GET', `/v1/ops/brands/${ctx.brand}/queues/${queue}`, { query: { limit: 100 } });
      fillRows(table, r.items.map((i) => render(i, load)), empty);
    } catch (e) {
      say(msg, 'error', describe(e));
    }
  }
  await load();
}

export function kycQueuePage(ctx) {
  return queuePage(ctx, {
    queue: 'kyc', perm: 'kyc.review', empty: 'No KYC reviews waiting.',
    render: (p, reload) => h('tr', { dataset: { playerId: p.player_id } },
      h('td', {}, playerLink(p.player_id)), h('td', {}, p.email), h('td', {}, p.jurisdiction), h('td', {}, fmtTime(p.pending_since)),
      decisionCell(`KYC of ${p.player_id}`, ['approve', 'reject'].map((decision) => ({
        label: decision === 'approve' ? 'Approve' : 'Reject', cls: decision === 'reject' ? 'danger' : undefined,
        run: (reason) => api('POST', `/v1/ops/players/${p.player_id}/kyc-decision`, { body: { decision, reason } }),
      })), reload)),
  });
}

export function withdrawalQueuePage(ctx) {
  return queuePage(ctx, {
    queue: 'withdrawals', perm: 'withdrawal.review', empty: 'No withdrawals waiting.',
    render: (w, reload) => {
      const path = `/v1/ops/players/${w.player_id}/withdrawals/${encodeURIComponent(w.withdrawal_id)}`;
      const buttons = w.state === 'approved'
        ? [{ label: 'Mark paid', run: (reason) => api('POST', `${path}/paid`, { body: { reason } }) }]
        : ['approve', 'reject'].map((decision) => ({
          label: decision === 'approve' ? 'Approve' : 'Reject', cls: decision === 'reject' ? 'danger' : undefined,
          run: (reason) => api('POST', `${path}/decision`, { body: { decision, reason } }),
        }));
      return h('tr', { dataset: { withdrawalId: w.withdrawal_id, playerId: w.player_id } },
        h('td', {}, playerLink(w.player_id)), h('td', {}, h('code', {}, w.withdrawal_id)), h('td', { class: 'num' }, formatAmount(w.amount_minor, w.currency)),
        h('td', {}, pill(w.state)), h('td', {}, fmtTime(w.requested_at)), decisionCell(`withdrawal ${w.withdrawal_id}`, buttons, reload));
    },
  });
}

export function adjustmentQueuePage(ctx) {
  return queuePage(ctx, {
    queue: 'adjustments', perm: 'adjustment.approve', empty: 'No adjustments waiting for approval.',
    render: (a, reload) => h('tr', { dataset: { adjustmentId: a.adjustment_id, playerId: a.player_id } },
      h('td', {}, playerLink(a.player_id)), h('td', { class: 'num' }, formatAmount(a.amount_minor, a.currency)), h('td', {}, a.bucket),
      h('td', {}, a.reason), h('td', {}, a.requested_by, a.requested_by === `operator:${ctx.me.operator.operator_id}` ? h('strong', {}, ' (you)') : ''),
      h('td', {}, fmtTime(a.requested_at)),
      decisionCell(`adjustment ${a.adjustment_id}`, ['approve', 'reject'].map((decision) => ({
        label: decision === 'approve' ? 'Approve' : 'Reject', cls: decision === 'reject' ? 'danger' : undefined,
        run: (reason) => api('POST', `/v1/ops/players/${a.player_id}/adjustments/${encodeURIComponent(a.adjustment_id)}/decision`, { body: { decision, reason } }),
      })), reload)),
  });
}
