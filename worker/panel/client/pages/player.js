/**
 * /ops/players/{id}: everything about one player and every back-office action on them, each through
 * its /v1/ops/players/{id}/... API: profile (PII on an explicit, audited reveal), KYC, balances,
 * adjustments (four eyes above the threshold), withdrawals, disputes, limits, sessions, holds,
 * ledger and timeline (both paged).
 */
import { api, busy, checkRequired, describe, say, sayError, submission } from '../api.js';
import { $, fillRows, h, pill, replace } from '../dom.js';
import { fmtTime, formatAmount } from '../format.js';
import { applyPermissions } from '../session.js';
import { isCurrency, majorToMinor } from '../../money';

export async function playerPage(ctx) {
  const id = document.body.dataset.playerId;
  const base = `/v1/ops/players/${id}`;
  const msg = $('#page-msg');
  let reveal = false;
  let view = null;

  // ---- profile and everything that comes with it ---------------------------------------------------
  async function load() {
    try {
      view = await api('GET', base, { query: { reveal: reveal ? 'pii' : undefined } });
    } catch (e) {
      say(msg, 'error', describe(e));
      return false;
    }
    render(view);
    return true;
  }

  /** Who acted: the name the API resolved (`names`), the reference itself on hover. */
  const who = (ref) => (ref ? h('span', { class: 'who', title: ref }, view?.names?.[String(ref).toLowerCase()] ?? ref) : '');

  function render(v) {
    const p = v.player;
    document.title = `Player ${p.player_id} · Back office`;
    const facts = [
      ['Player id', h('code', {}, p.player_id)], ['Email', p.email], ['Date of birth', p.date_of_birth], ['Brand', p.brand],
      ['Country', p.country], ['Jurisdiction', p.jurisdiction], ['Currency', p.currency], ['Status', pill(p.status)],
      ['KYC', pill(p.kyc_status)], ['VIP', p.vip ? 'yes' : 'no'], ['Registered', fmtTime(p.created_at)],
    ];
    const seg = v.segments ?? { segments: [], vip_tier: null, published_at: null };
    facts.push(['Segments', seg.segments.length ? seg.segments.join(', ') : 'none'], ['VIP tier', seg.vip_tier ?? 'none'],
      ['Segments published', seg.published_at ? fmtTime(seg.published_at) : 'never']);
    if (p.cool_off_until) facts.push(['Cooling off until', fmtTime(p.cool_off_until)]);
    if (p.status === 'self_excluded') facts.push(['Self-excluded until', p.self_exclusion_permanent ? 'permanently' : fmtTime(p.self_excluded_until)]);
    replace($('#profile'), facts.map(([k, val]) => [h('dt', {}, k), h('dd', { dataset: { field: k } }, val)]));
    $('#reveal-pii').hidden = !p.pii_masked;

    $('#lock-btn').hidden = p.status !== 'active';
    $('#unlock-btn').hidden = p.status !== 'locked';
    $('#status-form').hidden = !['active', 'locked'].includes(p.status);

    replace($('#kyc-state'), pill(p.kyc_status));
    $('#kyc-form').hidden = !(ctx.can('kyc.review') && p.kyc_status === 'pending');
    fillRows($('#kyc-history'), (v.kyc_history ?? []).slice().reverse().map((k) =>
      h('tr', {}, h('td', {}, fmtTime(k.at)), h('td', {}, k.from_status), h('td', {}, k.to_status), h('td', {}, k.reason ?? ''), h('td', {}, who(k.actor)))), 'No KYC changes yet.');

    fillRows($('#balances'), (v.balances ?? []).map((b) => h('tr', { dataset: { currency: b.currency } },
      h('th', { scope: 'row' }, b.currency), h('td', { class: 'num' }, formatAmount(b.real_minor, b.currency)),
      h('td', { class: 'num' }, formatAmount(b.bonus_minor, b.currency)), h('td', { class: 'num' }, formatAmount(b.held_minor, b.currency)),
      h('td', { class: 'num', dataset: { available: b.currency } }, formatAmount(b.available_minor, b.currency)))), 'No balances yet.');

    fillRows($('#adjustments'), (v.adjustments ?? []).map((a) => h('tr', { dataset: { adjustmentId: a.adjustment_id } },
      h('td', {}, fmtTime(a.created_at)), h('td', { class: 'num' }, formatAmount(a.amount_minor, a.currency)), h('td', {}, a.bucket),
      h('td', {}, pill(a.state)), h('td', {}, a.reason), h('td', {}, who(a.requested_by)), h('td', {}, a.decided_by ? [who(a.decided_by), a.decision_reason ? ` — ${a.decision_reason}` : ''] : ''),
      h('td', { class: 'num' }, a.balance_after_minor === null ? '' : formatAmount(a.balance_after_minor, a.currency)))), 'No adjustments.');

    fillRows($('#withdrawals'), (v.withdrawals ?? []).map(withdrawalRow), 'No withdrawals.');

    fillRows($('#limits'), (v.limits ?? []).map((l) => h('tr', {},
      h('td', {}, l.kind), h('td', {}, l.period), h('td', {}, limitValue(l, l.value)),
      h('td', {}, l.pending ? `${limitValue(l, l.pending.value)} from ${fmtTime(l.pending.effective_at)}` : ''))), 'No limits set.');

    fillRows($('#sessions'), (v.sessions ?? []).map((s) => h('tr', {},
      h('td', {}, fmtTime(s.created_at)), h('td', {}, s.country ?? ''), h('td', {}, s.ended_at ? fmtTime(s.ended_at) : 'active'), h('td', {}, s.end_reason ?? ''))), 'No sessions.');

    const holds = v.open_holds ?? [];
    fillRows($('#holds'), holds.map((o) => h('tr', {},
      h('td', {}, fmtTime(o.created_at)), h('td', {}, h('code', {}, o.hold_id)), h('td', {}, o.kind),
      h('td', { class: 'num' }, formatAmount(o.real_minor, o.currency)), h('td', { class: 'num' }, formatAmount(o.bonus_minor, o.currency)),
      h('td', {}, fmtTime(o.expires_at)))), 'No open holds.');
    replace($('#hold-ids'), holds.filter((o) => o.kind === 'bet').map((o) => h('option', { value: o.hold_id })));
  }

  function limitValue(l, value) {
    if (value === null || value === undefined) return 'none';
    if (l.kind === 'session_time' || l.kind === 'reality_check') return `${value} min`;
    return formatAmount(value, l.currency);
  }

  /** After an action: the profile, and the first pages of ledger and timeline. */
  async function refresh() {
    if (await load()) await Promise.all([ledger(false), timeline(false)]);
  }

  // ---- PII ------------------------------------------------------------------------------------------
  $('#reveal-pii').addEventListener('click', async () => {
    reveal = true;
    if (!(await load())) reveal = false;
  });

  // ---- lock / unlock ---------------------------------------------------------------------------------
  const statusForm = $('#status-form');
  statusForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const action = ev.submitter?.dataset.action ?? (view?.player.status === 'locked' ? 'unlock' : 'lock');
    const out = $('#status-msg');
    if (!checkRequired(statusForm, out)) return;
    busy(statusForm, async () => {
      try {
        await api('POST', `${base}/${action}`, { body: { reason: $('#status-reason').value } });
        $('#status-reason').value = '';
        await refresh();
        say(out, 'ok', action === 'lock' ? 'Account locked; its sessions were ended.' : 'Account unlocked.');
      } catch (e) { sayError(out, e); }
    });
  });

  // ---- KYC decision ---------------------------------------------------------------------------------
  const kycForm = $('#kyc-form');
  kycForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const decision = ev.submitter?.dataset.decision ?? 'approve';
    const out = $('#kyc-msg');
    if (!checkRequired(kycForm, out)) return;
    busy(kycForm, async () => {
      try {
        await api('POST', `${base}/kyc-decision`, { body: { decision, reason: $('#kyc-reason').value } });
        $('#kyc-reason').value = '';
        await refresh();
        say(out, 'ok', decision === 'approve' ? 'KYC approved.' : 'KYC rejected.');
      } catch (e) { sayError(out, e); }
    });
  });

  // ---- withdrawals ----------------------------------------------------------------------------------
  function withdrawalRow(w) {
    const cell = h('td', {});
    if (ctx.can('withdrawal.review') && (w.state === 'requested' || w.state === 'approved')) {
      const reason = h('input', { 'aria-label': `Reason for withdrawal ${w.withdrawal_id}`, name: 'reason', required: true, minlength: 3, maxlength: 500, size: 18, placeholder: 'reason' });
      const box = h('div', { class: 'row-actions' }, reason);
      const out = $('#withdrawal-msg');
      const act = (label, path, body, cls) => h('button', { type: 'button', class: cls, onclick: () => checkRequired(box, out) && busy(box, async () => {
        try {
          await api('POST', `${base}/withdrawals/${encodeURIComponent(w.withdrawal_id)}/${path}`, { body: { ...body, reason: reason.value } });
          await refresh();
          say(out, 'ok', `Withdrawal ${w.withdrawal_id}: ${label.toLowerCase()} done.`);
        } catch (e) { sayError(out, e); }
      }) }, label);
      if (w.state === 'requested') box.append(act('Approve', 'decision', { decision: 'approve' }), act('Reject', 'decision', { decision: 'reject' }, 'danger'));
      else box.append(act('Mark paid', 'paid', {}));
      cell.append(box);
    }
    return h('tr', { dataset: { withdrawalId: w.withdrawal_id } },
      h('td', {}, fmtTime(w.created_at)), h('td', {}, h('code', {}, w.withdrawal_id)), h('td', { class: 'num' }, formatAmount(w.amount_minor, w.currency)),
      h('td', {}, pill(w.state)), h('td', {}, who(w.decided_by)), h('td', {}, w.reason ?? ''), cell);
  }

  // ---- manual adjustment ------------------------------------------------------------------------------
  const adjustForm = $('#adjust-form');
  const adjustment = submission();
  const preview = () => {
    const cur = $('#adjust-currency').value;
    const text = $('#adjust-amount').value;
    const r = text.trim() ? majorToMinor(text, cur) : null;
    $('#adjust-amount').setAttribute('aria-invalid', r && !r.ok ? 'true' : 'false');
    $('#adjust-preview').textContent = !r ? '' : r.ok ? `${r.minor > 0 ? 'Credit' : 'Debit'} of ${formatAmount(Math.abs(r.minor), cur)} (${r.minor} minor units)` : r.error;
    return r;
  };
  $('#adjust-amount').addEventListener('input', preview);
  $('#adjust-currency').addEventListener('change', preview);
  adjustForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const out = $('#adjust-msg');
    if (!checkRequired(adjustForm, out)) return;
    const parsed = preview();
    if (!parsed || !parsed.ok) { say(out, 'error', parsed ? parsed.error : 'enter an amount'); return; }
    if (parsed.minor === 0) { say(out, 'error', 'the amount must not be 0'); return; }
    const body = { currency: $('#adjust-currency').value, bucket: $('#adjust-bucket').value, amount_minor: parsed.minor, reason: $('#adjust-reason').value };
    const key = adjustment.key(JSON.stringify(body));
    busy(adjustForm, async () => {
      try {
        const r = await api('POST', `${base}/adjustments`, { body, idempotencyKey: key });
        adjustment.settle();
        const a = r.adjustment ?? {};
        const amount = formatAmount(a.amount_minor ?? body.amount_minor, a.currency ?? body.currency);
        if (a.state === 'pending') say(out, 'info', `Adjustment of ${amount} is pending: above the four-eyes threshold, another operator must approve it.`);
        else say(out, 'ok', `Adjustment of ${amount} applied${a.balance_after_minor != null ? `; ${a.bucket} balance now ${formatAmount(a.balance_after_minor, a.currency)}` : ''}.`);
        $('#adjust-amount').value = '';
        $('#adjust-reason').value = '';
        $('#adjust-preview').textContent = '';
        await refresh();
      } catch (e) {
        adjustment.settle(e);
        say(out, 'error', e.status === 0 || e.status >= 500 ? `${describe(e)} — submitting again retries the same request (no double booking).` : describe(e));
      }
    });
  });

  // ---- dispute --------------------------------------------------------------------------------------
  const disputeForm = $('#dispute-form');
  const dispute = submission();
  disputeForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const out = $('#dispute-msg');
    if (!checkRequired(disputeForm, out)) return;
    const resolution = $('#dispute-resolution').value;
    const body = { hold_id: $('#dispute-hold').value.trim(), resolution, reason: $('#dispute-reason').value };
    const amountText = $('#dispute-amount').value.trim();
    if (resolution === 'correct' || amountText) {
      const r = majorToMinor(amountText, $('#dispute-currency').value);
      if (!r.ok) { say(out, 'error', r.error); return; }
      body.amount_minor = r.minor;
    }
    const key = dispute.key(JSON.stringify(body));
    busy(disputeForm, async () => {
      try {
        const r = await api('POST', `${base}/disputes`, { body, idempotencyKey: key });
        dispute.settle();
        const d = r.dispute ?? r;
        say(out, 'ok', `Dispute resolved (${resolution})${typeof d.amount_minor === 'number' && d.currency ? `: ${formatAmount(d.amount_minor, d.currency)}` : ''}.`);
        disputeForm.reset();
        await refresh();
      } catch (e) {
        dispute.settle(e);
        sayError(out, e);
      }
    });
  });

  // ---- ledger and timeline (paged) -----------------------------------------------------------------------
  let ledgerBefore = null;
  async function ledger(more) {
    if (!ctx.can('player.ledger.read')) return;
    try {
      const r = await api('GET', `${base}/ledger`, { query: { limit: 50, before: more ? ledgerBefore : undefined, currency: $('#ledger-currency').value } });
      fillRows($('#ledger'), (r.entries ?? []).map((e) => h('tr', {},
        h('td', {}, String(e.entry_id)), h('td', {}, fmtTime(e.at)), h('td', {}, e.kind), h('td', {}, e.bucket),
        h('td', { class: 'num' }, formatAmount(e.amount_minor, e.currency)), h('td', { class: 'num' }, formatAmount(e.balance_after_minor, e.currency)),
        h('td', {}, h('code', {}, e.ref)))), 'No ledger entries.', more);
      ledgerBefore = r.next_before ?? null;
      $('#ledger-more').hidden = ledgerBefore === null;
    } catch (e) { say(msg, 'error', describe(e)); }
  }
  $('#ledger-form').addEventListener('submit', (ev) => { ev.preventDefault(); ledger(false); });
  $('#ledger-more').addEventListener('click', () => ledger(true));

  let timelineBefore = null;
  async function timeline(more) {
    if (!ctx.can('player.timeline.read')) return;
    try {
      const r = await api('GET', `${base}/timeline`, { query: { limit: 50, before: more ? timelineBefore : undefined } });
      // `shown` is formatted by the API (worker/ops/timeline-view.ts): amounts, times and names, ids on hover
      fillRows($('#timeline'), (r.events ?? []).map(({ seq, event, shown }) => h('tr', { dataset: { eventType: shown.type } },
        h('td', {}, String(seq)), h('td', { title: shown.at.title }, shown.at.text), h('td', {}, shown.type), h('td', {}, event.currency ?? ''),
        h('td', { class: 'fields' }, shown.fields.map((f) => h('span', { class: 'field', title: f.title ?? undefined, dataset: { field: f.name } },
          h('span', { class: 'muted' }, `${f.name} `), f.text))))),
      'No events.', more);
      timelineBefore = r.next_before ?? null;
      $('#timeline-more').hidden = timelineBefore === null;
    } catch (e) { say(msg, 'error', describe(e)); }
  }
  $('#timeline-more').addEventListener('click', () => timeline(true));

  if (await load()) {
    const cur = view.player.currency;
    if (isCurrency(cur)) { $('#adjust-currency').value = cur; $('#dispute-currency').value = cur; $('#ledger-currency').value = ''; }
    applyPermissions(ctx.can);
    await Promise.all([ledger(false), timeline(false)]);
  }
}
