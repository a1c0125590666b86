// Operations: the tail of each log egress (GET /v1/egress/…, the last records, then new ones as they are
// committed), ingress connectors and shipped egresses with their lag (GET /v1/connectors), and the cluster's
// members and key groups (GET /v1/cluster).
import { api, h, num, redraw, table, valueText } from './dom.js';

const TAIL = 12;

/** A shipped egress's lag, or the sum of an ingress connector's parts' lags (`null` when unknown). */
function lagOf(c) {
  if (typeof c.lag === 'number') return c.lag;
  const lags = (c.parts ?? []).map((p) => p.lag).filter((l) => typeof l === 'number');
  return lags.length === 0 ? null : lags.reduce((a, b) => a + b, 0);
}

export function egressView(root) {
  const select = h('select', { id: 'egress-select' });
  const tail = h('div', { id: 'egress-tail' });
  const connectors = h('div', { id: 'connectors' });
  let records = [];
  let next;
  let egresses;
  select.addEventListener('change', () => {
    records = [];
    next = undefined;
    void instance.refresh();
  });
  const instance = {
    everyMs: 1000,
    async refresh() {
      if (egresses === undefined) {
        egresses = (await api('/v1/info')).logEgresses;
        select.replaceChildren(...egresses.map((id) => h('option', { value: id }, id)));
      }
      const id = select.value;
      if (id) {
        const [ns, name] = id.split('/').map(encodeURIComponent);
        const page = await api(`/v1/egress/${ns}/${name}?from=${next ?? -TAIL}&limit=100`);
        records = records.concat(page.records).slice(-TAIL);
        next = page.next;
        redraw(
          tail,
          table(
            `The last ${TAIL} records of ${id}, newest last`,
            [{ text: 'Offset', cls: 'num' }, 'Type', 'Value'],
            records.map((r) => ({
              attrs: { 'data-offset': r.offset },
              cells: [
                { text: String(r.offset), cls: 'num' },
                h('code', {}, r.type),
                h('pre', {}, valueText(r)),
              ],
            })),
            'No records yet.',
          ),
        );
      } else
        redraw(
          tail,
          h('p', { class: 'muted' }, 'No log egress is configured (kind io.statehouse.egress.v1/log).'),
        );
      const list = (await api('/v1/connectors')).connectors;
      redraw(
        connectors,
        table(
          'Ingress connectors and shipped egresses',
          ['Direction', 'Id', 'Kind', 'State', { text: 'Lag', cls: 'num' }],
          list.map((c) => ({
            attrs: { 'data-connector': c.id },
            cells: [
              c.direction,
              h('code', {}, c.id),
              c.kind,
              c.state,
              { text: num(lagOf(c), 0), cls: 'num', field: 'lag' },
            ],
          })),
          'No connectors or shipped egresses.',
        ),
      );
    },
  };
  redraw(
    root,
    h(
      'form',
      { class: 'inline', onsubmit: (e) => e.preventDefault() },
      h('label', { for: 'egress-select' }, 'Log egress', select),
    ),
    tail,
    h('h3', {}, 'Connectors'),
    connectors,
  );
  return instance;
}

export function clusterView(root) {
  return {
    everyMs: 5000,
    async refresh() {
      const c = await api('/v1/cluster');
      const facts = h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Mode'),
        h('dd', { 'data-field': 'mode' }, c.mode),
        h('dt', {}, 'This node'),
        h('dd', {}, h('code', {}, c.nodeId)),
        h('dt', {}, 'Key groups'),
        h('dd', { 'data-field': 'keyGroups' }, `${c.ownedKeyGroups} of ${c.keyGroups} owned by this process`),
      );
      const members = c.status?.members ?? [];
      redraw(
        root,
        facts,
        c.status === undefined
          ? h('p', { class: 'muted' }, 'A single process (embedded SQLite store) owns every key group.')
          : '',
        c.status === undefined ? '' : h('h3', {}, 'Members'),
        c.status === undefined
          ? ''
          : table(
              'Cluster members',
              [
                'Node',
                'Advertise',
                'Live',
                { text: 'Key groups', cls: 'num' },
                { text: 'Pending messages', cls: 'num' },
                { text: 'Timers', cls: 'num' },
              ],
              members.map((m) => ({
                cells: [
                  h('code', {}, m.nodeId),
                  m.advertise,
                  m.live ? 'yes' : { text: 'no', cls: 'bad' },
                  { text: num(m.keyGroups, 0), cls: 'num' },
                  { text: num(m.pendingMessages, 0), cls: 'num' },
                  { text: num(m.pendingTimers, 0), cls: 'num' },
                ],
              })),
            ),
        c.status === undefined ? '' : h('p', {}, `Unowned key groups: ${c.status.unowned.keyGroups ?? 0}`),
      );
    },
  };
}
