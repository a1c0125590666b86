// Small helpers shared by the views: building elements (never from HTML strings), the API client that carries
// the bearer token, number formats and the SVG sparkline.
const SVG = 'http://www.w3.org/2000/svg';
const TOKEN_KEY = 'statehouse.console.token';

/** Builds an element: attributes (`on*` functions become listeners) and children (strings become text). */
export function h(tag, attrs = {}, ...children) {
  const el = tag.startsWith('svg:')
    ? document.createElementNS(SVG, tag.slice(4))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat())
    if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** How to find an element again in a redrawn tree: its id, aria-label, name or data attributes. */
function selectorOf(el) {
  if (el.id) return `#${CSS.escape(el.id)}`;
  const parts = [el.localName];
  for (const a of el.attributes)
    if (a.name === 'aria-label' || a.name === 'name' || a.name.startsWith('data-'))
      parts.push(`[${a.name}="${CSS.escape(a.value)}"]`);
  if (parts.length === 1) return undefined;
  // Inside a row (or any element) with data attributes, anchor on that ancestor too.
  const holder = el.parentElement?.closest(
    '[data-address],[data-type],[data-state],[data-offset],[data-edge],[data-connector],[data-node]',
  );
  if (holder) {
    const [attr] = [...holder.attributes].filter((a) => a.name.startsWith('data-'));
    return `[${attr.name}="${CSS.escape(attr.value)}"] ${parts.join('')}`;
  }
  return parts.join('');
}

/**
 * `root.replaceChildren(...children)` for a periodic redraw that keeps the keyboard focus: when the focused
 * element was inside `root`, its equivalent in the new tree (same id, aria-label, name or data attributes)
 * takes the focus, so that a refresh neither drops the focus to the page's body nor restarts the Tab order.
 */
export function redraw(root, ...children) {
  const focused = document.activeElement;
  const selector = focused && focused !== root && root.contains(focused) ? selectorOf(focused) : undefined;
  root.replaceChildren(...children);
  if (selector === undefined) return;
  const again = root.querySelector(selector);
  if (again) again.focus({ preventScroll: true });
}

/** A table with a caption, header cells and rows of cells (a cell is text, a node or `{ text, cls }`). */
export function table(caption, headers, rows, empty = 'Nothing to show.') {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  const cell = (c, tag) =>
    c !== null && typeof c === 'object' && !(c instanceof Node)
      ? h(tag, { class: c.cls, 'data-field': c.field }, c.text)
      : h(tag, {}, c);
  return h(
    'table',
    {},
    h('caption', { class: 'muted', style: undefined }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => cell(x, 'th')),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          r.attrs ?? {},
          r.cells.map((c) => cell(c, 'td')),
        ),
      ),
    ),
  );
}

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(token) {
  if (token === '') sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** Calls the runtime's API; throws an Error with the API's code and message when it answers an error. */
export async function api(path, init = {}) {
  const token = getToken();
  const headers = { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const res = await fetch(path, { ...init, headers: { ...headers, ...init.headers } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(body.error?.message ?? `HTTP ${res.status}`);
    err.code = body.error?.code ?? `HTTP_${res.status}`;
    err.status = res.status;
    throw err;
  }
  return body;
}

/** `1234.5` → `1,234.5`; `null` → `–`. */
export function num(n, digits = 1) {
  if (n === null || n === undefined) return '–';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** Milliseconds as `12.3 ms` or `1.2 s`. */
export function ms(n) {
  if (n === null || n === undefined) return '–';
  return n >= 1000 ? `${num(n / 1000, 2)} s` : `${num(n, 1)} ms`;
}

/** The age of an ISO timestamp, e.g. `3m 12s`. */
export function age(iso, now = Date.now()) {
  let s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const parts = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ]) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  parts.push(`${s}s`);
  return parts.slice(0, 2).join(' ');
}

/** A decoded value: its JSON, or the bytes in hex when it has none. */
export function valueText(v, pretty = false) {
  if ('json' in v) return pretty ? JSON.stringify(v.json, null, 2) : JSON.stringify(v.json);
  const bin = atob(v.bytes);
  const hex = [];
  for (let i = 0; i < bin.length; i++) hex.push(bin.charCodeAt(i).toString(16).padStart(2, '0'));
  return hex.length === 0 ? '(empty)' : `hex ${hex.join(' ')}`;
}

/**
 * A line chart of the last minute: series of `{ points: [{ at, value }], cls }`, placed by time (newest at the
 * right edge), with a text equivalent for screen readers.
 */
export function sparkline(series, label, now = Date.now()) {
  const w = 240;
  const hgt = 50;
  // The last minute; while there is less history, the time there is (at least 10 s).
  const oldest = Math.min(now, ...series.flatMap((s) => s.points.map((p) => p.at)));
  const span = Math.min(60_000, Math.max(10_000, now - oldest));
  const all = series.flatMap((s) => s.points.map((p) => p.value).filter((v) => v !== null));
  const max = Math.max(1e-9, ...all);
  const svg = h('svg:svg', {
    class: 'chart',
    viewBox: `0 0 ${w} ${hgt}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': label,
  });
  svg.append(h('svg:line', { x1: 0, y1: hgt - 1, x2: w, y2: hgt - 1, class: 'axis' }));
  for (const s of series) {
    const points = s.points
      .filter((p) => p.value !== null && now - p.at <= span)
      .map(
        (p) =>
          `${(w - ((now - p.at) / span) * w).toFixed(1)},${(hgt - 2 - (p.value / max) * (hgt - 4)).toFixed(1)}`,
      );
    svg.append(h('svg:polyline', { class: s.cls, points: points.join(' ') }));
  }
  return svg;
}
