// Flow: which function types message which, and which egresses they feed, learned from committed traffic
// (GET /v1/flow), drawn as a layered graph with the rate on each edge, and the same edges as a table.
import { api, h, num, redraw, table } from './dom.js';

const NODE_W = 150;
const NODE_H = 34;
const COL = 260;
const ROW = 80;

/** Columns: ingress first, then function types by distance from it, egresses last. */
function layout(nodes, edges) {
  const depth = new Map([['ingress', 0]]);
  const queue = ['ingress'];
  while (queue.length > 0) {
    const from = queue.shift();
    for (const e of edges)
      if (e.from === from && !depth.has(e.to) && !e.to.startsWith('egress:')) {
        depth.set(e.to, depth.get(from) + 1);
        queue.push(e.to);
      }
  }
  const fnDepth = Math.max(1, ...nodes.filter((n) => n.kind === 'function').map((n) => depth.get(n.id) ?? 1));
  const columns = new Map();
  for (const n of nodes) {
    const col = n.kind === 'ingress' ? 0 : n.kind === 'egress' ? fnDepth + 1 : (depth.get(n.id) ?? 1);
    if (!columns.has(col)) columns.set(col, []);
    columns.get(col).push(n);
  }
  const pos = new Map();
  let rows = 1;
  for (const [col, list] of columns) {
    rows = Math.max(rows, list.length);
    list.forEach((n, i) => pos.set(n.id, { x: 20 + col * COL, y: 30 + i * ROW }));
  }
  return { pos, width: 40 + (fnDepth + 1) * COL + NODE_W, height: 40 + rows * ROW };
}

function label(id) {
  return id.startsWith('egress:') ? `⇥ ${id.slice(7)}` : id === 'ingress' ? '⇢ ingress' : id;
}

/** The arc of an edge: between columns left to right (or back, below), within a column on its right side. */
function route(a, b) {
  if (a.x === b.x) {
    const down = b.y > a.y;
    const x = a.x + NODE_W;
    // Two types of one column that message each other get two arcs, a narrow one down and a wide one up.
    const cx = x + (down ? 70 : 170);
    return {
      x1: x,
      y1: a.y + NODE_H / 2,
      x2: x,
      y2: b.y + NODE_H / 2,
      cx,
      cy: (a.y + b.y) / 2 + NODE_H / 2,
      forward: down,
    };
  }
  const forward = b.x > a.x;
  const x1 = forward ? a.x + NODE_W : a.x;
  const x2 = forward ? b.x : b.x + NODE_W;
  const y1 = a.y + NODE_H / 2 + (forward ? -6 : 6);
  const y2 = b.y + NODE_H / 2 + (forward ? -6 : 6);
  // Two types that message each other get two arcs, one above and one below.
  return { x1, y1, x2, y2, cx: (x1 + x2) / 2, cy: (y1 + y2) / 2 + (forward ? -28 : 28), forward };
}

function graph(nodes, edges) {
  const { pos, width, height } = layout(nodes, edges);
  const svg = h('svg:svg', {
    class: 'flow',
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': `Flow graph: ${edges.map((e) => `${label(e.from)} to ${label(e.to)} ${num(e.perSecond)} per second`).join('; ')}`,
  });
  svg.append(
    h(
      'svg:defs',
      {},
      h(
        'svg:marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: '10',
          refY: '5',
          markerWidth: '7',
          markerHeight: '7',
          orient: 'auto-start-reverse',
        },
        h('svg:path', { class: 'arrowhead', d: 'M 0 0 L 10 5 L 0 10 z' }),
      ),
    ),
  );
  for (const e of edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    const { x1, y1, x2, y2, cx, cy, forward } = route(a, b);
    svg.append(h('svg:path', { d: `M ${x1} ${y1} Q ${cx} ${cy} ${x2} ${y2}`, 'marker-end': 'url(#arrow)' }));
    // The label sits at the curve's midpoint (t = 0.5 of the quadratic Bézier).
    const inColumn = x1 === x2;
    svg.append(
      h(
        'svg:text',
        {
          class: 'rate',
          x: (x1 + 2 * cx + x2) / 4 + (inColumn ? 4 : 0),
          y: (y1 + 2 * cy + y2) / 4 + (forward ? -6 : 16),
          'text-anchor': inColumn ? 'start' : 'middle',
        },
        `${num(e.perSecond)}/s`,
      ),
    );
  }
  for (const n of nodes) {
    const p = pos.get(n.id);
    svg.append(
      h(
        'svg:g',
        { class: `node ${n.kind}`, 'data-node': n.id },
        h('svg:rect', { x: p.x, y: p.y, width: NODE_W, height: NODE_H, rx: 6 }),
        h('svg:text', { x: p.x + NODE_W / 2, y: p.y + NODE_H / 2 + 4, 'text-anchor': 'middle' }, label(n.id)),
      ),
    );
  }
  return svg;
}

export function flowView(root) {
  return {
    everyMs: 1000,
    async refresh() {
      const { nodes, edges } = await api('/v1/flow');
      if (edges.length === 0) {
        redraw(root, h('p', { class: 'muted' }, 'No committed traffic yet.'));
        return;
      }
      redraw(
        root,
        graph(nodes, edges),
        h('h3', {}, 'Edges'),
        table(
          'Messages (and egress records) per edge since the process started',
          ['From', 'To', { text: 'Per second', cls: 'num' }, { text: 'Total', cls: 'num' }],
          edges.map((e) => ({
            attrs: { 'data-edge': `${e.from} ${e.to}` },
            cells: [
              label(e.from),
              label(e.to),
              { text: num(e.perSecond), cls: 'num', field: 'perSecond' },
              { text: num(e.count, 0), cls: 'num', field: 'count' },
            ],
          })),
        ),
      );
    },
  };
}
