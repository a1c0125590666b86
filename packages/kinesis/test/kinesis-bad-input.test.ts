/**
 * What a Kinesis ingress does with input it cannot use, in a `statehouse run` child process against kinesalite: a
 * stream that does not exist, credentials Kinesis refuses, a record whose partition key cannot be an address id, a
 * stream deleted and created again under its name.
 * Each is a clear error on `GET /v1/connectors` (or a skipped, counted record), never a crash; the other streams
 * keep flowing and nothing committed is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  BANK_TYPES,
  metricValue,
  moduleYaml,
  serveOfficialBank,
  waitFor,
  type LedgerEntry,
  type RuntimeProcess,
} from '@statehouse/testkit';
import { kinesaliteAccess, startKinesisRig, type KinesisRig } from './kinesis-rig.js';

interface ConnectorView {
  readonly id: string;
  readonly state: string;
  readonly lastError?: string;
  readonly parts: readonly { readonly source: string }[];
}

/** An ingress of the bank's counter on `streams`, with the given access key. */
function ingress(id: string, streams: readonly string[], access: string[]): string {
  return [
    'kind: io.statefun.kinesis.v1/ingress',
    'spec:',
    `  id: ${id}`,
    ...access,
    '  startupPosition:',
    '    type: earliest',
    '  streams:',
    ...streams.flatMap((s) => [
      `    - stream: ${s}`,
      `      valueType: ${BANK_TYPES.increment}`,
      '      targets: [bank/counter]',
    ]),
    '  clientConfigProperties:',
    '    - flink.shard.getrecords.intervalmillis: 50',
    '    - flink.shard.discovery.intervalmillis: 300',
    '    - MaxErrorRetry: 0',
  ].join('\n');
}

describe('Kinesis ingress with bad input (kinesalite, statehouse run)', () => {
  let rig: KinesisRig;
  let runtime: RuntimeProcess;
  let api: ApiClient;

  beforeAll(async () => {
    rig = await startKinesisRig({
      streams: [{ name: 'good', shards: 1 }],
      serve: () => serveOfficialBank(),
      module: (url, kinesis) => {
        const base = moduleYaml({
          endpoints: [{ functions: 'bank/*', urlPathTemplate: `${url}/statefun` }],
          logEgresses: [BANK_TYPES.ledger],
        });
        const wrongKey = kinesaliteAccess(kinesis).map((line) =>
          line.replace('accessKeyId: test', 'accessKeyId: AKIAWRONG'),
        );
        return [
          base.trimEnd(),
          ingress('bank/mixed', ['good', 'not-created-yet'], kinesaliteAccess(kinesis)),
          ingress('bank/wrong-key', ['good'], wrongKey),
        ].join('\n---\n');
      },
    });
    runtime = rig.runtime;
    await runtime.start();
    api = new ApiClient(runtime.url);
  }, 60_000);

  afterAll(async () => {
    await rig?.stop();
  });

  const connector = async (id: string): Promise<ConnectorView> => {
    const answer = await api.get<{ connectors: ConnectorView[] }>('/v1/connectors');
    return answer.body.connectors.find((c) => c.id === id)!;
  };

  const ledger = async (): Promise<LedgerEntry[]> =>
    (await api.allEgress(BANK_TYPES.ledger)).map((r) => r.json as LedgerEntry);

  it('names a missing stream and refused credentials, and keeps the good stream flowing', async () => {
    await rig.kinesis.put('good', [{ key: 'counter-0', data: JSON.stringify({ txId: 'tx-good' }) }]);
    await waitFor('the good stream counted', async () => (await ledger()).some((e) => e.txId === 'tx-good'));
    await waitFor('both errors shown', async () => {
      const mixed = await connector('bank/mixed');
      const wrong = await connector('bank/wrong-key');
      return (
        mixed.state === 'retrying' &&
        (mixed.lastError ?? '').includes('stream not-created-yet: ResourceNotFoundException') &&
        wrong.state === 'retrying' &&
        (wrong.lastError ?? '').includes('UnrecognizedClientException')
      );
    });
    expect((await connector('bank/mixed')).parts.map((p) => p.source)).toEqual(['good']);
    expect((await api.get('/healthz')).status).toBe(200);
    // Only the ingress with the right key counted the record (the other never read it).
    expect((await ledger()).filter((e) => e.txId === 'tx-good')).toHaveLength(1);
  }, 60_000);

  it('reads a stream created after it started, from its start', async () => {
    await rig.kinesis.createStream('not-created-yet', 1);
    await rig.kinesis.put('not-created-yet', [
      { key: 'counter-1', data: JSON.stringify({ txId: 'tx-late' }) },
    ]);
    await waitFor('the late stream counted', async () => (await ledger()).some((e) => e.txId === 'tx-late'));
    await waitFor('the ingress running', async () => (await connector('bank/mixed')).state === 'running');
  }, 60_000);

  it('skips and counts a record whose partition key cannot be an id, and goes on', async () => {
    await rig.kinesis.put('good', [
      { key: 'bad\u0000key', data: JSON.stringify({ txId: 'tx-bad-key' }) },
      { key: 'counter-2', data: JSON.stringify({ txId: 'tx-after-bad' }) },
    ]);
    await waitFor('the record after the bad one counted', async () =>
      (await ledger()).some((e) => e.txId === 'tx-after-bad'),
    );
    expect((await ledger()).some((e) => e.txId === 'tx-bad-key')).toBe(false);
    const metrics = String((await api.get<string>('/metrics')).body);
    expect(
      metricValue(metrics, 'statehouse_kinesis_ingress_records_skipped_total', {
        ingress: 'bank/mixed',
        stream: 'good',
      }),
    ).toBe(1);
  }, 60_000);

  it('reads a stream deleted and created again under its name from its start (old positions do not fit it)', async () => {
    await rig.kinesis.deleteStream('not-created-yet');
    // kinesalite keeps creation times in whole seconds (Kinesis takes longer than that to delete a stream anyway):
    // the new stream must not share the old one's second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await rig.kinesis.createStream('not-created-yet', 1);
    await rig.kinesis.put('not-created-yet', [
      { key: 'counter-3', data: JSON.stringify({ txId: 'tx-recreated' }) },
    ]);
    await waitFor('the recreated stream counted', async () =>
      (await ledger()).some((e) => e.txId === 'tx-recreated'),
    );
    expect((await ledger()).filter((e) => e.txId === 'tx-late')).toHaveLength(1);
    expect(runtime.logs.some((l) => String(l['msg']).includes('was deleted and created again'))).toBe(true);
  }, 60_000);
});
