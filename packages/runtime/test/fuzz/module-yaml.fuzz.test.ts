/**
 * module.yaml fuzzing: documents built from the supported kinds and their fields with random values, and valid
 * modules with random edits of their text. Loading one either succeeds or throws a `ConfigError` whose code is in
 * docs/errors.md and whose message names the file; never another error (a `TypeError` is a bug).
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadModuleFiles } from '@statehouse/runtime';
import { documentedCodes, FUZZ_SEED, fuzzRuns, fuzzTimeout } from './fuzz-settings.js';

const CODES = documentedCodes();

const KINDS = [
  'io.statefun.endpoints.v2/http',
  'io.statefun.endpoints.v1/http',
  'io.statefun.kafka.v1/ingress',
  'io.statefun.kafka.v1/egress',
  'io.statefun.kinesis.v1/ingress',
  'io.statefun.kinesis.v1/egress',
  'io.statehouse.egress.v1/log',
  'io.statehouse.egress.v1/http',
  'io.statehouse.functions.v1/policy',
];

const FIELDS = [
  'functions',
  'urlPathTemplate',
  'maxNumBatchRequests',
  'timeouts',
  'transport',
  'call',
  'connect',
  'read',
  'write',
  'type',
  'id',
  'url',
  'address',
  'consumerGroupId',
  'topics',
  'startupPosition',
  'valueType',
  'targets',
  'deliverySemantic',
  'properties',
  'awsRegion',
  'awsCredentials',
  'streams',
  'retention',
  'maxAge',
  'maxRecords',
  'maxBacklog',
  'kind',
  'spec',
  'clientConfigProperties',
  'typeUrl',
  'namespace',
];

/** A value of any shape that YAML can hold, biased towards the shapes the fields take. */
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(
      'ns/*',
      'ns/fn',
      'http://127.0.0.1:1/{function.name}',
      '1s',
      '2 min',
      '*',
      '',
      'a/b/c',
      'x',
    ),
    fc.string({ maxLength: 20 }),
    fc.integer({ min: -5, max: 100_000 }),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...FIELDS), tie('v'), { maxKeys: 4 }),
  ),
})).v;

const document = fc.record(
  {
    kind: fc.oneof(fc.constantFrom(...KINDS), fc.string({ maxLength: 30 })),
    spec: fc.oneof(fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 6 }), value),
  },
  { requiredKeys: [] },
);

const VALID = `kind: io.statefun.endpoints.v2/http
spec:
  functions: example/*
  urlPathTemplate: http://127.0.0.1:9/{function.name}
  maxNumBatchRequests: 100
  transport:
    call: 1 min
---
kind: io.statehouse.egress.v1/log
spec:
  id: example/out
---
kind: io.statehouse.functions.v1/policy
spec:
  functions: example/cart
  maxBacklog: 1000
`;

/** Random edits of a valid module's text: deletions, insertions and replacements of characters. */
const edited = fc
  .array(
    fc.record({
      at: fc.nat({ max: VALID.length }),
      cut: fc.nat({ max: 8 }),
      insert: fc.oneof(
        fc.constantFrom(':', '-', ' ', '\n', '{', '[', '"', '*', '&a', '!!binary', '---'),
        fc.string(),
      ),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((edits) =>
    edits.reduce((text, e) => text.slice(0, e.at) + e.insert + text.slice(e.at + e.cut), VALID),
  );

/** Loads a module text: `undefined` when it loads, else the error, which must be a documented `ConfigError`. */
function loadOutcome(text: string): void {
  try {
    loadModuleFiles([{ path: 'fuzz.yaml', text }]);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(CODES.has(error.code), `undocumented code ${error.code}`).toBe(true);
    expect(error.message).toContain('fuzz.yaml');
  }
}

describe('module.yaml fuzzing', () => {
  // A process warning (e.g. the yaml library's about stringified keys) is output the runtime should not print.
  const emitWarning = vi.spyOn(process, 'emitWarning');
  afterAll(() => {
    expect(emitWarning.mock.calls.map((call) => String(call[0]))).toEqual([]);
    emitWarning.mockRestore();
  });

  it(
    'documents of the supported kinds with random fields load or fail with a documented ConfigError',
    () => {
      fc.assert(
        fc.property(fc.array(document, { minLength: 1, maxLength: 4 }), (docs) => {
          loadOutcome(docs.map((d) => stringify(d)).join('---\n'));
        }),
        { seed: FUZZ_SEED, numRuns: fuzzRuns(600) },
      );
    },
    fuzzTimeout(30_000),
  );

  it(
    'valid modules with random edits load or fail with a documented ConfigError',
    () => {
      fc.assert(fc.property(edited, loadOutcome), { seed: FUZZ_SEED, numRuns: fuzzRuns(600) });
    },
    fuzzTimeout(30_000),
  );
});
