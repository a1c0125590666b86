/**
 * The ingress connector boundary, with a connector of the test's own (no broker): what a connector ingests
 * commits with its positions in one transaction on the real SQLite store and reaches the functions (the official
 * SDK's counter); positions survive a restart; `GET /v1/connectors` shows the connector; a module whose ingress
 * cannot run is refused when the runtime is created, naming the document.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createRuntime,
  loadModuleFiles,
  type ConnectorPlugin,
  type ConnectorPosition,
  type IngressContext,
  type ModuleConfig,
} from '@statehouse/runtime';
import { ApiClient, BANK_TYPES, serveOfficialBank, waitFor, type FunctionService } from '@statehouse/testkit';

const INGRESS = [
  'kind: io.statefun.kafka.v1/ingress',
  'spec:',
  '  id: bank/feed',
  '  address: 127.0.0.1:9',
  '  consumerGroupId: g',
  '  topics:',
  '    - topic: increments',
  `      valueType: ${BANK_TYPES.increment}`,
  '      targets: [bank/counter]',
].join('\n');

function moduleOf(serviceUrl: string, extra = ''): ModuleConfig {
  const endpoint = `kind: io.statefun.endpoints.v2/http\nspec:\n  functions: bank/*\n  urlPathTemplate: ${serviceUrl}/statefun\n`;
  const egress = `kind: io.statehouse.egress.v1/log\nspec:\n  id: ${BANK_TYPES.ledger}\n`;
  return loadModuleFiles([
    { path: 'module.yaml', text: [endpoint, egress, INGRESS, extra].filter((d) => d !== '').join('\n---\n') },
  ]);
}

/** A connector that ingests what the test hands it, and remembers the positions it found at start. */
function testPlugin(egressKinds: string[] = []) {
  const seen: { positions: ConnectorPosition[]; context: IngressContext | undefined } = {
    positions: [],
    context: undefined,
  };
  const plugin: ConnectorPlugin = {
    ingressKinds: ['io.statefun.kafka.v1/ingress'],
    createIngress: (config, context) => ({
      start: async () => {
        seen.positions = await context.loadPositions();
        seen.context = context;
      },
      stop: () => Promise.resolve(),
      status: () => ({ id: config.id, kind: config.kind, state: 'running', parts: [] }),
    }),
    egressKinds,
    egressRecordProblem: () => undefined,
    createEgress: (config) => ({ id: config.id, target: 'nowhere', deliver: () => Promise.resolve() }),
  };
  return { plugin, seen };
}

const increment = (id: string, txId: string) => ({
  target: { type: 'bank/counter', id },
  argument: { typename: BANK_TYPES.increment, value: new TextEncoder().encode(JSON.stringify({ txId })) },
});

describe('ingress connectors', () => {
  let service: FunctionService;
  let dir: string;

  beforeAll(async () => {
    service = await serveOfficialBank();
    dir = await mkdtemp(join(tmpdir(), 'statehouse-connectors-'));
  });
  afterAll(async () => {
    await service?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('commits messages with positions, delivers them, and finds the positions after a restart', async () => {
    const options = {
      module: moduleOf(service.url),
      dataDir: join(dir, 'data'),
      listen: '127.0.0.1:0',
      logger: pino({ level: 'silent' }),
      collectProcessMetrics: false,
    };
    const first = testPlugin();
    const runtime = await createRuntime({ ...options, connectors: [first.plugin] });
    expect(first.seen.positions).toEqual([]);
    const position = { connector: 'bank/feed', source: 'increments', part: '0', position: '3' };
    await first.seen.context!.ingest({
      messages: [increment('a', 'tx-1'), increment('a', 'tx-2'), increment('b', 'tx-3')],
      positions: [position],
    });
    const api = new ApiClient(runtime.url);
    await waitFor(
      'three increments in the ledger',
      async () => (await api.allEgress(BANK_TYPES.ledger)).length === 3,
    );
    expect((await api.state('bank/counter', 'a')).body.values?.['count']?.json).toBe(2);
    const status = await api.get<{ connectors: unknown[] }>('/v1/connectors');
    expect(status.body.connectors).toEqual([
      {
        direction: 'ingress',
        id: 'bank/feed',
        kind: 'io.statefun.kafka.v1/ingress',
        state: 'running',
        parts: [],
      },
    ]);
    expect(first.seen.context!.admits('bank/counter')).toBe(true);
    expect(first.seen.context!.idProblem('x\u0000y')).toMatch(/NUL/);
    await runtime.close();

    const second = testPlugin();
    const again = await createRuntime({ ...options, connectors: [second.plugin] });
    expect(second.seen.positions).toEqual([position]);
    await again.close();
    // A stopped runtime refuses to ingest: nothing of the batch is stored.
    await expect(
      second.seen.context!.ingest({ messages: [increment('a', 'tx-4')], positions: [] }),
    ).rejects.toMatchObject({
      code: 'ERR_CONNECTOR_NOT_RUNNING',
    });
  });

  it('refuses at creation an ingress that cannot run, naming the document', async () => {
    const base = { dataDir: join(dir, 'refused'), listen: '127.0.0.1:0', logger: pino({ level: 'silent' }) };
    const { plugin } = testPlugin();
    const refusal = (options: Parameters<typeof createRuntime>[0]) =>
      createRuntime(options).then(
        () => undefined,
        (err: unknown) => err,
      );

    const noConnector = await refusal({ ...base, module: moduleOf(service.url) });
    expect(noConnector).toBeInstanceOf(ConfigError);
    expect(noConnector).toMatchObject({
      code: 'ERR_CONFIG_NO_CONNECTOR',
      message: expect.stringContaining('document 3') as unknown,
    });

    const unbound = loadModuleFiles([{ path: 'module.yaml', text: INGRESS }]);
    expect(await refusal({ ...base, module: unbound, connectors: [plugin] })).toMatchObject({
      code: 'ERR_CONFIG_UNBOUND_INGRESS_TARGET',
      message: expect.stringContaining('bank/counter') as unknown,
    });

    const kafkaEgress = moduleOf(
      service.url,
      'kind: io.statefun.kafka.v1/egress\nspec:\n  id: bank/out\n  address: 127.0.0.1:9\n  deliverySemantic:\n    type: at-least-once\n',
    );
    expect(await refusal({ ...base, module: kafkaEgress, connectors: [plugin] })).toMatchObject({
      code: 'ERR_CONFIG_NO_CONNECTOR',
      message: expect.stringContaining('egress bank/out') as unknown,
    });

    const twoInOneGroup = moduleOf(
      service.url,
      INGRESS.replace('bank/feed', 'bank/other').replace('increments', 'more'),
    );
    expect(await refusal({ ...base, module: twoInOneGroup, connectors: [plugin] })).toMatchObject({
      code: 'ERR_CONFIG_CONFLICTING_FIELDS',
      message: expect.stringMatching(
        /ingress bank\/other uses consumerGroupId g, like ingress bank\/feed/,
      ) as unknown,
    });
  });
});
