// Overview: each function type with its message and invocation rates, p50/p99 invocation latency, backlog and
// stalled addresses (GET /v1/overview, every second), and a chart of the last minute per type.
import { api, h, ms, num, redraw, sparkline, table } from './dom.js';

export function overviewView(root) {
  return {
    everyMs: 1000,
    async refresh() {
      const { at, types } = await api('/v1/overview');
      const now = Date.parse(at);
      const rows = types.map((t) => ({
        attrs: { 'data-type': t.functionType },
        cells: [
          h('code', {}, t.functionType),
          { text: num(t.messagesPerSecond), cls: 'num', field: 'messagesPerSecond' },
          { text: num(t.invocationsPerSecond), cls: 'num', field: 'invocationsPerSecond' },
          { text: ms(t.p50Ms), cls: 'num', field: 'p50' },
          { text: ms(t.p99Ms), cls: 'num', field: 'p99' },
          { text: num(t.backlog, 0), cls: 'num', field: 'backlog' },
          { text: num(t.stalled, 0), cls: t.stalled > 0 ? 'num bad' : 'num', field: 'stalled' },
          { text: num(t.messages, 0), cls: 'num', field: 'messages' },
          { text: num(t.invocations, 0), cls: 'num', field: 'invocations' },
        ],
      }));
      const head = [
        'Function type',
        'Messages/s',
        'Invocations/s',
        'p50',
        'p99',
        'Backlog',
        'Stalled',
        'Messages',
        'Invocations',
      ].map((x, i) => (i === 0 ? x : { text: x, cls: 'num' }));
      const cards = types.map((t) =>
        h(
          'div',
          { class: 'card' },
          h('h3', {}, h('code', {}, t.functionType)),
          sparkline(
            [{ points: t.series.map((p) => ({ at: p.at, value: p.messagesPerSecond })), cls: 'm' }],
            `${t.functionType}: messages per second over the last minute, now ${num(t.messagesPerSecond)}`,
            now,
          ),
          h(
            'div',
            { class: 'legend' },
            h('span', { class: 'm' }, `■ messages/s (now ${num(t.messagesPerSecond)})`),
          ),
          sparkline(
            [{ points: t.series.map((p) => ({ at: p.at, value: p.p99Ms })), cls: 'l' }],
            `${t.functionType}: p99 invocation latency over the last minute, now ${ms(t.p99Ms)}`,
            now,
          ),
          h('div', { class: 'legend' }, h('span', { class: 'l' }, `■ p99 latency (now ${ms(t.p99Ms)})`)),
        ),
      );
      redraw(
        root,
        table(
          'Function types, live (refreshed every second)',
          head,
          rows,
          'No traffic yet: send a message to the ingress.',
        ),
        cards.length > 0 ? h('h3', {}, 'Last minute') : '',
        h('div', { class: 'cards' }, cards),
      );
    },
  };
}
