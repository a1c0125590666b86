// The console's shell: hash routes (#overview, #flow, …), the token field, and the refresh loop of the view
// on screen (every second for live views; a view answers how often it refreshes).
import { getToken, h, setToken } from './dom.js';
import { overviewView } from './overview.js';
import { flowView } from './flow.js';
import { stalledView } from './stalled.js';
import { addressView } from './address.js';
import { egressView, clusterView } from './operations.js';

const VIEWS = {
  overview: { title: 'Overview', make: overviewView },
  flow: { title: 'Flow', make: flowView },
  stalled: { title: 'Stalled addresses', make: stalledView },
  address: { title: 'Address browser', make: addressView },
  egress: { title: 'Egress and connectors', make: egressView },
  cluster: { title: 'Cluster', make: clusterView },
};

const main = document.getElementById('main');
const status = document.getElementById('status');
let current = { timer: undefined, generation: 0 };
// The error the last refresh showed: a successful refresh clears it, and only it (an action's message, such as
// a failed retry, stays until the user's next action).
let refreshError;

/** Shows a line in the status bar (an error in red). */
export function say(text, isError = false) {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

function show() {
  const name = location.hash.slice(1).split('?')[0] || 'overview';
  const view = VIEWS[name] ?? VIEWS.overview;
  clearTimeout(current.timer);
  const generation = current.generation + 1;
  current = { timer: undefined, generation };
  for (const a of document.querySelectorAll('nav a'))
    if (a.getAttribute('href') === `#${name}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  document.title = `${view.title} · Statehouse console`;
  const heading = h('h2', { tabindex: '-1', id: 'view-title' }, view.title);
  const body = h('div', { id: `view-${name}` });
  main.replaceChildren(heading, body);
  say('');
  refreshError = undefined;
  const instance = view.make(body, say);
  const tick = async () => {
    try {
      await instance.refresh();
      if (
        current.generation === generation &&
        refreshError !== undefined &&
        status.textContent === refreshError
      )
        say('');
      refreshError = undefined;
    } catch (err) {
      if (current.generation !== generation) return;
      refreshError =
        err.status === 401
          ? getToken()
            ? 'The API did not accept this token (401): check it and enter it again above.'
            : 'This API needs a token: enter it above.'
          : `${err.code ?? 'error'}: ${err.message}`;
      say(refreshError, true);
    }
    if (current.generation === generation && instance.everyMs > 0)
      current.timer = setTimeout(tick, instance.everyMs);
  };
  void tick();
  return heading;
}

window.addEventListener('hashchange', () => show().focus());
document.getElementById('token').value = getToken();
document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken(document.getElementById('token').value.trim());
  show();
  say(getToken() ? 'Token saved for this tab.' : 'Token cleared for this tab.');
});
// "Skip to content" moves the focus to the view on screen; it must not change the hash (the views' router).
document.querySelector('a.skip').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});
show();
