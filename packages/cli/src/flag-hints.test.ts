import { ConfigError, StoreError, resolveRuntimeOptions, type ModuleConfig } from '@statehouse/runtime';
import { describe, expect, it } from 'vitest';
import { describeRuntimeError } from './flag-hints.js';

describe('describeRuntimeError', () => {
  it('leads an invalid option with the flag that sets it', () => {
    let err: unknown;
    try {
      resolveRuntimeOptions({ module: {} as ModuleConfig, maxIngressBytes: 0 });
    } catch (caught) {
      err = caught;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(describeRuntimeError(err as ConfigError)).toBe(
      '--max-ingress-bytes: runtime option maxIngressBytes: expected a positive whole number, got 0 [ERR_CONFIG_INVALID_OPTION]',
    );
  });

  it('leaves an option without a flag as the runtime says it', () => {
    const err = new ConfigError('ERR_CONFIG_INVALID_OPTION', 'runtime option keyGroups: …', {
      option: 'keyGroups',
    });
    expect(describeRuntimeError(err)).toBe('runtime option keyGroups: … [ERR_CONFIG_INVALID_OPTION]');
  });

  it('adds the flag that fixes an error, found by its code', () => {
    expect(describeRuntimeError(new ConfigError('ERR_CONFIG_LISTEN_FAILED', 'cannot listen'))).toBe(
      'cannot listen [ERR_CONFIG_LISTEN_FAILED]\nstatehouse: choose another --listen HOST:PORT (port 0 picks a free one)',
    );
    expect(describeRuntimeError(new StoreError('ERR_STORE_LOCKED', 'in use'))).toBe(
      'in use [ERR_STORE_LOCKED]\nstatehouse: stop it first, or use another --data-dir',
    );
  });

  it('shows other errors with their code', () => {
    expect(describeRuntimeError(new StoreError('ERR_STORE_OPEN_FAILED', 'cannot open'))).toBe(
      'cannot open [ERR_STORE_OPEN_FAILED]',
    );
  });
});
