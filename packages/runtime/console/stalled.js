// Stalled addresses (GET /v1/stalled): the last error, attempts and age, "retry now"
// (POST /v1/stalled/{namespace}/{name}/{id}/retry) and "move to dead letters" (…/dead-letter), both admin scope.
// "Move to dead letters" appears only when the runtime reports the capability (GET /v1/info).
import { age, api, h, num, redraw, table } from './dom.js';

function pathOf(s) {
  const [ns, name] = s.functionType.split('/');
  return [ns, name, s.id].map(encodeURIComponent).join('/');
}

export function stalledView(root, say) {
  let capabilities;
  // The actions waiting for their answer (by button label): a redraw keeps their buttons disabled.
  const pending = new Set();
  const act = async (button, run) => {
    const key = button.getAttribute('aria-label');
    // A disabled button loses the focus: it comes back to the button (as redrawn meanwhile) once enabled again.
    const hadFocus = document.activeElement === button;
    pending.add(key);
    button.disabled = true;
    try {
      await run();
    } finally {
      pending.delete(key);
      button.disabled = false;
      const again = root.querySelector(`button[aria-label="${CSS.escape(key)}"]`) ?? button;
      again.disabled = false;
      const lost = document.activeElement === null || document.activeElement === document.body;
      if (hadFocus && lost && again.isConnected) again.focus();
    }
  };
  const retry = (s, button) =>
    act(button, async () => {
      try {
        const { status } = await api(`/v1/stalled/${pathOf(s)}/retry`, { method: 'POST' });
        say(
          status === 'retrying'
            ? `Retrying ${s.functionType}/${s.id} now.`
            : `${s.functionType}/${s.id} is attempting already.`,
        );
      } catch (err) {
        say(`Retry of ${s.functionType}/${s.id} failed: ${err.code}: ${err.message}`, true);
      }
    });
  const deadLetter = (s, button) =>
    act(button, async () => {
      try {
        await api(`/v1/stalled/${pathOf(s)}/dead-letter`, { method: 'POST' });
        say(
          `The failing batch of ${s.functionType}/${s.id} goes to the dead letters (see statehouse dead-letters list).`,
        );
      } catch (err) {
        say(`Moving ${s.functionType}/${s.id} to the dead letters failed: ${err.code}: ${err.message}`, true);
      }
    });
  return {
    everyMs: 1000,
    async refresh() {
      capabilities ??= (await api('/v1/info')).capabilities;
      const { stalled, total, truncated } = await api('/v1/stalled?limit=200');
      const rows = stalled.map((s) => {
        const name = `${s.functionType}/${s.id}`;
        const retryLabel = `Retry ${name} now`;
        const retryButton = h(
          'button',
          { type: 'button', 'aria-label': retryLabel, disabled: pending.has(retryLabel) },
          'Retry now',
        );
        retryButton.addEventListener('click', () => void retry(s, retryButton));
        const actions = [retryButton];
        if (capabilities.deadLetters) {
          const moveLabel = `Move ${name} to dead letters`;
          const moveButton = h(
            'button',
            { type: 'button', class: 'secondary', 'aria-label': moveLabel, disabled: pending.has(moveLabel) },
            'Move to dead letters',
          );
          moveButton.addEventListener('click', () => void deadLetter(s, moveButton));
          actions.push(' ', moveButton);
        }
        return {
          attrs: { 'data-address': name },
          cells: [
            h('code', {}, name),
            { text: age(s.since), field: 'age' },
            { text: num(s.attempts, 0), cls: 'num', field: 'attempts' },
            h(
              'div',
              {},
              h('code', { 'data-field': 'code' }, s.lastError.code),
              h('pre', {}, s.lastError.message),
            ),
            h('div', {}, actions),
          ],
        };
      });
      redraw(
        root,
        h(
          'p',
          { 'data-field': 'total' },
          `${total} stalled address${total === 1 ? '' : 'es'}${truncated ? ' (the oldest 200 are listed)' : ''}.`,
        ),
        table(
          'Addresses whose invocations keep failing, oldest first',
          ['Address', 'Stalled for', { text: 'Attempts', cls: 'num' }, 'Last error', 'Actions'],
          rows,
          'No address is stalled.',
        ),
        capabilities.deadLetters
          ? ''
          : h(
              'p',
              { class: 'muted' },
              'Dead letters are not available in this runtime version: a stalled address is retried until it succeeds.',
            ),
      );
    },
  };
}
