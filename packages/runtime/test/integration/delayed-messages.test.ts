/**
 * Delayed messages: durable across SIGKILL, fire once and no earlier than asked; cancellation is scoped to
 * the sending address. Functions are unmodified official-SDK code; the runtime is a real child process.
 *
 * That a message does *not* fire (again) is proven by a barrier, not by waiting a while: a later delayed
 * message to the same sink. Timers fire in deadline order and a sink handles its messages in order, so once
 * the barrier arrived, anything due before it would have arrived first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  RuntimeProcess,
  TIMER_TYPES,
  createTempDir,
  metricValue,
  moduleYaml,
  serveOfficialTimers,
  waitFor,
  type Fired,
  type FunctionService,
  type Schedule,
  type TempDir,
} from '@statehouse/testkit';

describe('delayed messages', () => {
  let dir: TempDir;
  let service: FunctionService;
  let runtime: RuntimeProcess;
  let api: ApiClient;

  beforeAll(async () => {
    dir = await createTempDir();
    service = await serveOfficialTimers();
    runtime = new RuntimeProcess({
      dataDir: `${dir.path}/data`,
      moduleYaml: moduleYaml({
        endpoints: [{ functions: 'timer/*', urlPathTemplate: `${service.url}/statefun` }],
        logEgresses: [TIMER_TYPES.egress],
      }),
    });
    await runtime.start();
    api = new ApiClient(runtime.url);
  });

  afterAll(async () => {
    await runtime?.stop();
    await service?.close();
    await dir?.cleanup();
  });

  const schedule = async (scheduler: string, s: Schedule): Promise<void> => {
    const res = await api.ingressJson('timer/scheduler', scheduler, TIMER_TYPES.schedule, s);
    expect(res.status).toBe(202);
  };
  const stateInt = async (scheduler: string, name: string): Promise<number> =>
    ((await api.state('timer/scheduler', scheduler)).body.values?.[name]?.json as number | undefined) ?? 0;
  const fired = async (label: string): Promise<Fired[]> =>
    (await api.allEgress(TIMER_TYPES.egress)).map((r) => r.json as Fired).filter((f) => f.label === label);
  let barriers = 0;
  /** Sends a delayed message from `scheduler` to `sinkId` due `delayMs` from now, and waits until it fired. */
  const barrier = async (scheduler: string, sinkId: string, delayMs = 0): Promise<void> => {
    const label = `barrier-${++barriers}`;
    await schedule(scheduler, { label, delayMs, sinkId });
    await waitFor(label, async () => (await fired(label)).length === 1, { timeoutMs: 10_000 });
  };
  const pendingTimers = async (): Promise<number | undefined> =>
    metricValue((await api.get<string>('/metrics')).body, 'statehouse_timers_pending');

  it('survives SIGKILL, fires once, no earlier than asked, with the sender as caller', async () => {
    await schedule('s1', { label: 'restart', delayMs: 1500, sinkId: 'k1' });
    // The timer is committed together with the scheduler's state.
    await waitFor('scheduled', async () => (await stateInt('s1', 'scheduled')) === 1);
    await runtime.kill();
    await runtime.start();
    api = new ApiClient(runtime.url);
    const [f] = await waitFor(
      'fired',
      async () => ((await fired('restart')).length > 0 ? fired('restart') : undefined),
      { timeoutMs: 10_000 },
    );
    expect(f!.firedAt - f!.scheduledAt).toBeGreaterThanOrEqual(1500);
    expect(f!.caller).toBe('s1');
    await barrier('s1', 'k1');
    expect(await fired('restart')).toHaveLength(1);
    expect(await pendingTimers()).toBe(0);
  });

  it('fires a timer whose deadline passed while the runtime was down, right after restart', async () => {
    await schedule('s2', { label: 'overdue', delayMs: 300, sinkId: 'k2' });
    await waitFor('scheduled', async () => (await stateInt('s2', 'scheduled')) === 1);
    await runtime.kill();
    await new Promise((r) => setTimeout(r, 800));
    await runtime.start();
    api = new ApiClient(runtime.url);
    await waitFor('overdue fired', async () => (await fired('overdue')).length === 1, { timeoutMs: 10_000 });
    await barrier('s2', 'k2');
    expect(await fired('overdue')).toHaveLength(1);
    expect(await pendingTimers()).toBe(0);
  });

  it('cancels from the sender; a cancellation from another address does nothing', async () => {
    await schedule('s3', { label: 'kept', delayMs: 1200, sinkId: 'k3', token: 'kept-token' });
    await schedule('s3', { label: 'cancelled', delayMs: 1200, sinkId: 'k3', token: 'cancel-token' });
    await waitFor('both scheduled', async () => (await stateInt('s3', 'scheduled')) === 2);
    // Both were committed, deadlines included, before this.
    const scheduledBy = Date.now();
    // Another scheduler address tries to cancel s3's token: no effect.
    expect(
      (await api.ingressJson('timer/scheduler', 'stranger', TIMER_TYPES.cancel, { token: 'kept-token' }))
        .status,
    ).toBe(202);
    // The sender cancels its other token.
    expect(
      (await api.ingressJson('timer/scheduler', 's3', TIMER_TYPES.cancel, { token: 'cancel-token' })).status,
    ).toBe(202);
    await waitFor(
      'cancels applied',
      async () =>
        (await stateInt('s3', 'cancelled')) === 1 && (await stateInt('stranger', 'cancelled')) === 1,
    );
    await waitFor('kept fired', async () => (await fired('kept')).length === 1, { timeoutMs: 10_000 });
    // Due no earlier than the cancelled message would have been.
    await barrier('s3', 'k3', Math.max(0, scheduledBy + 1200 - Date.now()));
    expect(await fired('cancelled')).toHaveLength(0);
    expect(await fired('kept')).toHaveLength(1);
    expect(await pendingTimers()).toBe(0);
  });

  it('a token is free again after its message fired or was cancelled', async () => {
    await schedule('s4', { label: 'reuse-1', delayMs: 50, sinkId: 'k4', token: 'again' });
    await waitFor('first fired', async () => (await fired('reuse-1')).length === 1);
    await schedule('s4', { label: 'reuse-2', delayMs: 50, sinkId: 'k4', token: 'again' });
    await waitFor('second fired', async () => (await fired('reuse-2')).length === 1);
  });
});
