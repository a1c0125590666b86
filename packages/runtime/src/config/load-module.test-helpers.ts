/**
 * What the module.yaml loader's tests share (`load-module*.test.ts`): loading a text, expecting a coded
 * {@link ConfigError}, and an endpoint document to build modules from. Test code: vitest does not run it, the
 * package build leaves it out.
 */
import { expect } from 'vitest';
import { ConfigError } from '../errors.js';
import { loadModuleFiles } from './load-module.js';
import type { KafkaIngressConfig, ModuleConfig } from './module-types.js';

/** Loads one module.yaml text, named `path` in messages. */
export const load = (text: string, path = 'module.yaml'): Readonly<ModuleConfig> =>
  loadModuleFiles([{ path, text }]);

/** The first ingress of a module, which the test knows is a Kafka ingress. */
export const kafkaIngressOf = (module: Readonly<ModuleConfig>): KafkaIngressConfig | undefined =>
  module.ingresses[0] as KafkaIngressConfig | undefined;

/** Runs `fn`, expects a ConfigError with `code`, and returns its message. */
export function configErrorOf(fn: () => unknown, code: string): string {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).code).toBe(code);
  return (error as ConfigError).message;
}

/** A v2 HTTP endpoint document binding `functions`, with `extra` lines appended to its spec. */
export const endpoint = (
  extra = '',
  functions = 'com.example/*',
): string => `kind: io.statefun.endpoints.v2/http
spec:
  functions: ${functions}
  urlPathTemplate: http://functions.svc:8000/statefun/{function.name}
${extra}`;

/** A Kafka ingress document with one topic; `spec` lines replace the defaults given here when they name them. */
export function kafkaIngress(spec: { [key: string]: string | undefined } = {}): string {
  const fields: Record<string, string | undefined> = {
    id: 'id: com.example/names',
    address: 'address: kafka:9092',
    consumerGroupId: 'consumerGroupId: app',
    topics: 'topics:\n    - { topic: names, valueType: com.example/Name, targets: [com.example/greeter] }',
    ...spec,
  };
  const lines = Object.values(fields).filter((line): line is string => line !== undefined);
  return `kind: io.statefun.kafka.v1/ingress\nspec:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
}

/** A Kafka egress document; `spec` lines replace the defaults given here when they name them. */
export function kafkaEgress(spec: { [key: string]: string | undefined } = {}): string {
  const fields: Record<string, string | undefined> = {
    id: 'id: com.example/out',
    address: 'address: kafka:9092',
    ...spec,
  };
  const lines = Object.values(fields).filter((line): line is string => line !== undefined);
  return `kind: io.statefun.kafka.v1/egress\nspec:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
}
