// Address browser: one address's state values decoded (JSON, well-known types, hex for the rest) with their
// TTL, its pending messages and timers (GET /v1/addresses/{namespace}/{name}/{id}).
import { api, h, redraw, table, valueText } from './dom.js';

function ttl(expiresAt) {
  if (expiresAt === null) return 'no TTL';
  const s = Math.round((Date.parse(expiresAt) - Date.now()) / 1000);
  return `expires ${expiresAt} (in ${s} s)`;
}

export function addressView(root) {
  const typeInput = h('input', {
    id: 'address-type',
    name: 'type',
    required: true,
    placeholder: 'example/cart',
    autocomplete: 'off',
  });
  const idInput = h('input', { id: 'address-id', name: 'id', placeholder: 'Kim', autocomplete: 'off' });
  const result = h('div', { id: 'address-result', 'aria-live': 'polite' });
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  typeInput.value = params.get('type') ?? '';
  idInput.value = params.get('id') ?? '';
  // The address last submitted (or given in the URL): the auto-refresh shows it, not what is being typed.
  let shown = { type: typeInput.value.trim(), id: idInput.value };
  const load = async () => {
    const [ns, name] = shown.type.split('/');
    if (!ns || !name) return;
    const path = [ns, name, shown.id].map(encodeURIComponent).join('/');
    const a = await api(`/v1/addresses/${path}`);
    redraw(
      result,
      h(
        'p',
        {},
        h('code', {}, `${a.address.functionType}/${a.address.id}`),
        ` · key group ${a.keyGroup}`,
        a.stalled
          ? h(
              'strong',
              { class: 'bad' },
              ` · stalled since ${a.stalled.since} (${a.stalled.attempts} attempts): ${a.stalled.lastError.code}`,
            )
          : '',
      ),
      h('h3', {}, `State (${a.state.length})`),
      table(
        'Committed state values',
        ['Name', 'Type', 'Value', 'TTL'],
        a.state.map((s) => ({
          attrs: { 'data-state': s.name },
          cells: [
            h('code', {}, s.name),
            h('code', {}, s.type),
            h('pre', { 'data-field': 'value' }, valueText(s, true)),
            ttl(s.expiresAt),
          ],
        })),
        'No state.',
      ),
      h('h3', {}, `Pending messages (${a.pending.length}${a.pendingTruncated ? '+' : ''})`),
      table(
        'Messages waiting in the inbox, oldest first',
        ['Seq', 'Type', 'Value', 'Caller', 'Enqueued'],
        a.pending.map((m) => ({
          cells: [
            String(m.seq),
            h('code', {}, m.type),
            h('pre', {}, valueText(m)),
            m.caller ?? 'ingress',
            m.enqueuedAt,
          ],
        })),
        'No pending messages.',
      ),
      h('h3', {}, `Timers (${a.timers.length})`),
      table(
        'Delayed messages to this address',
        ['Fires at', 'Type', 'Value', 'Sender', 'Token'],
        a.timers.map((t) => ({
          cells: [t.fireAt, h('code', {}, t.type), h('pre', {}, valueText(t)), t.sender, t.token ?? '–'],
        })),
        'No timers.',
      ),
    );
  };
  const form = h(
    'form',
    { class: 'inline', 'aria-label': 'Look up an address' },
    h('label', { for: 'address-type' }, 'Function type (namespace/name)', typeInput),
    h('label', { for: 'address-id' }, 'Id', idInput),
    h('button', { type: 'submit' }, 'Show'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    shown = { type: typeInput.value.trim(), id: idInput.value };
    history.replaceState(
      null,
      '',
      `#address?type=${encodeURIComponent(shown.type)}&id=${encodeURIComponent(shown.id)}`,
    );
    instance
      .refresh()
      .catch((err) => redraw(result, h('p', { class: 'bad' }, `${err.code}: ${err.message}`)));
  });
  root.replaceChildren(form, result);
  const instance = { everyMs: 2000, refresh: load };
  return instance;
}
