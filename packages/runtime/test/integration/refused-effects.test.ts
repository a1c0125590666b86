/**
 * Nothing one invocation returns can fail the group commit of others (docs/runtime.md 2.5): a delayed message
 * may reuse a cancellation token once its first message fired, even while the target still fails; and effects
 * the store refuses anyway (here: a real SQLite trigger that raises on one address's state write) stall only
 * that address, visibly, while every other address goes on and the runtime stays up.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PersistedValueSpecProps } from '@statehouse/protocol';
import {
  createTempDir,
  incompleteReply,
  metricValue,
  missingSpecs,
  moduleYaml,
  resultReply,
  serveRecording,
  startEmbeddedRuntime,
  waitFor,
  type ApiClient,
} from '@statehouse/testkit';

const EGRESS = 'rf/out';
const json = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));
const typed = (typename: string, v: unknown) => ({ typename, hasValue: true, value: json(v) });
const SPECS: PersistedValueSpecProps[] = [{ stateName: 'n', typeTypename: 'rf/N' }];

interface Rec {
  readonly from: string;
  readonly v: unknown;
}

describe('effects that cannot be committed', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  const records = async (api: ApiClient): Promise<Rec[]> =>
    (await api.allEgress(EGRESS)).map((r) => r.json as Rec);

  it('reuses a cancellation token once its message fired, while the target is failing; both arrive once', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    let slowIsUp = false;
    let slowCalls = 0;
    const service = await serveRecording((req) => {
      if (req.type === 'rf/sched') {
        // Every message schedules a delayed message to rf/slow x with the same token T1.
        return resultReply({
          delayedInvocations: req.invocations.map((inv) => ({
            delayInMs: 0,
            cancellationToken: 'T1',
            target: { namespace: 'rf', type: 'slow', id: 'x' },
            argument: { typename: 'rf/Rec', hasValue: true, value: inv.value },
          })),
        });
      }
      slowCalls += 1;
      if (!slowIsUp) return { status: 503, contentType: 'text/plain', body: 'down' };
      return resultReply({
        outgoingEgresses: req.invocations.map((inv) => ({
          egressNamespace: 'rf',
          egressType: 'out',
          argument: typed('rf/Rec', { from: 'slow', v: JSON.parse(inv.value.toString()) as unknown }),
        })),
      });
    });
    cleanups.push(() => service.close());
    const moduleText = moduleYaml({
      endpoints: [{ functions: 'rf/*', urlPathTemplate: `${service.url}/{function.name}`, call: '1s' }],
      logEgresses: [EGRESS],
    });
    const { runtime, api } = await startEmbeddedRuntime({
      moduleText,
      dataDir: dir.path,
      cleanups,
      options: { logger: pino({ level: 'silent' }), stalledRetryMaxMs: 200 },
    });

    expect((await api.ingressJson('rf/sched', 'a', 'rf/Go', 'first')).status).toBe(202);
    // The timer fired: rf/slow x is being called (and failing) with the first message.
    await waitFor('slow called', () => slowCalls >= 2);
    expect((await api.ingressJson('rf/sched', 'a', 'rf/Go', 'second')).status).toBe(202);
    await waitFor('second delayed message fired and queued', async () => {
      const metrics = (await api.get<string>('/metrics')).body;
      return metricValue(metrics, 'statehouse_timers_pending') === 0 && slowCalls >= 4;
    });
    expect(runtime.state).toBe('RUNNING');
    slowIsUp = true;
    await waitFor('both delivered', async () => (await records(api)).length >= 2);
    // Nothing more arrives: each fired once.
    expect((await api.ingressJson('rf/slow', 'marker', 'rf/Rec', 'marker')).status).toBe(202);
    await waitFor('marker', async () => (await records(api)).length >= 3);
    expect(await records(api)).toEqual([
      { from: 'slow', v: 'first' },
      { from: 'slow', v: 'second' },
      { from: 'slow', v: 'marker' },
    ]);
    expect(runtime.state).toBe('RUNNING');
  });

  it('stalls only the address whose effects the store refuses; the others commit once; it recovers', async () => {
    const dir = await createTempDir();
    cleanups.push(() => dir.cleanup());
    const service = await serveRecording((req) => {
      const missing = missingSpecs(req, SPECS);
      if (missing.length > 0) return incompleteReply(missing);
      const before = req.states.get('n');
      const n = before === undefined ? 0 : (JSON.parse(before.value.toString()) as number);
      return resultReply({
        stateMutations: [
          { stateName: 'n', mutationType: 1, stateValue: typed('rf/N', n + req.invocations.length) },
        ],
        outgoingEgresses: req.invocations.map(() => ({
          egressNamespace: 'rf',
          egressType: 'out',
          argument: typed('rf/Rec', { from: req.id, v: n + 1 }),
        })),
      });
    });
    cleanups.push(() => service.close());
    const moduleText = moduleYaml({
      endpoints: [{ functions: 'rf/*', urlPathTemplate: `${service.url}/{function.name}`, call: '1s' }],
      logEgresses: [EGRESS],
    });
    const options = { logger: pino({ level: 'silent' }), stalledRetryMaxMs: 200 };

    // Create the store, then make it refuse every state write of one address (as a constraint would).
    const first = await startEmbeddedRuntime({ moduleText, dataDir: dir.path, cleanups, options });
    await first.runtime.close();
    const db = new Database(join(dir.path, 'statehouse.db'));
    db.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON state WHEN NEW.id = 'poison'
             BEGIN SELECT RAISE(ABORT, 'the test refuses state of rf/count poison'); END`);
    db.close();

    const { runtime, api } = await startEmbeddedRuntime({ moduleText, dataDir: dir.path, cleanups, options });
    // As a client should: a 503 (here: an ingress voided with the refused group) is retried with its key.
    const send = async (id: string, round: number): Promise<void> => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const { status } = await api.ingressJson('rf/count', id, 'rf/Inc', round, `${id}-${round}`);
        if (status === 202) return;
        expect(status).toBe(503);
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`ingress to ${id} kept failing`);
    };
    const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
    // Interleaved so that the poison's effects share group commits with the others'.
    for (let round = 0; round < 3; round++) {
      await Promise.all([...ids.map((id) => send(id, round)), send('poison', round)]);
    }
    await waitFor('the others are done', async () => (await records(api)).length >= 3 * ids.length, {
      timeoutMs: 20_000,
    });
    await waitFor('poison listed as stalled', async () => {
      const stalled = (
        await api.get<{ stalled: { id: string; lastError: { code: string } }[] }>('/v1/stalled')
      ).body.stalled;
      return stalled.some((s) => s.id === 'poison' && s.lastError.code === 'ERR_STORE_CONSTRAINT');
    });
    expect(runtime.state).toBe('RUNNING');
    const counts = new Map<string, number>();
    for (const r of await records(api)) counts.set(r.from, (counts.get(r.from) ?? 0) + 1);
    expect(counts.get('poison')).toBeUndefined();
    for (const id of ids) {
      expect(counts.get(id)).toBe(3);
      expect((await api.state('rf/count', id)).body.values?.['n']?.json).toBe(3);
    }
    const metrics = (await api.get<string>('/metrics')).body;
    expect(
      metricValue(metrics, 'statehouse_refused_effect_sets_total', { reason: 'ERR_STORE_CONSTRAINT' }),
    ).toBeGreaterThanOrEqual(1);
    // New work still flows while the poison stays stalled.
    expect((await api.ingressJson('rf/count', 'late', 'rf/Inc', 0)).status).toBe(202);
    await waitFor('late', async () => (await records(api)).some((r) => r.from === 'late'));

    // Once the store accepts it again, the poison's messages are applied once each.
    await runtime.close();
    const fix = new Database(join(dir.path, 'statehouse.db'));
    fix.exec('DROP TRIGGER refuse_poison');
    fix.close();
    const again = await startEmbeddedRuntime({ moduleText, dataDir: dir.path, cleanups, options });
    await waitFor(
      'poison recovers',
      async () => (await again.api.state('rf/count', 'poison')).status === 200,
    );
    expect((await again.api.state('rf/count', 'poison')).body.values?.['n']?.json).toBe(3);
    const all = (await again.api.allEgress(EGRESS)).map((r) => r.json as Rec);
    expect(all.filter((r) => r.from === 'poison')).toHaveLength(3);
    expect(all.filter((r) => r.from === 'c0')).toHaveLength(3);
  });
});
