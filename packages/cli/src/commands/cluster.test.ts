import { ConfigError, type ClusterStatus, type MemberStatus } from '@statehouse/runtime';
import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../cli-error.js';
import { describeRuntimeError } from '../flag-hints.js';
import { clusterCommand, formatClusterStatus } from './cluster.js';

const member = (overrides: Partial<MemberStatus>): MemberStatus => ({
  nodeId: 'a',
  incarnation: 'a#5f0c9e2a7b1d4c38',
  advertise: '10.0.0.11:8091',
  heartbeatAgeMs: 400,
  live: true,
  startedAt: '2026-12-05T10:00:00.000Z',
  keyGroups: 128,
  pendingMessages: 0,
  oldestMessageAgeMs: 0,
  backlog: [],
  pendingTimers: 0,
  ...overrides,
});

describe('formatClusterStatus', () => {
  it('shows each member’s pending messages and oldest message, then the backlog per member and function type', () => {
    const status: ClusterStatus = {
      totalKeyGroups: 256,
      members: [
        member({ pendingTimers: 3 }),
        member({
          nodeId: 'b',
          incarnation: 'b#0e9d1c2b3a4f5e6d',
          advertise: '10.0.0.12:8091',
          heartbeatAgeMs: 200,
          pendingMessages: 12,
          oldestMessageAgeMs: 754_000,
          backlog: [
            { functionType: 'example/cart', messages: 10, oldestAgeMs: 754_000 },
            { functionType: 'example/audit', messages: 2, oldestAgeMs: 4_100 },
          ],
        }),
      ],
      unowned: {
        keyGroups: 0,
        pendingMessages: 1,
        oldestMessageAgeMs: 2 * 3_600_000,
        backlog: [{ functionType: 'example/cart', messages: 1, oldestAgeMs: 2 * 3_600_000 }],
      },
    };
    expect(formatClusterStatus(status).split('\n')).toEqual([
      'NODE       INCARNATION       ADVERTISE       LIVE  HEARTBEAT  KEY GROUPS  PENDING MSGS  OLDEST MSG  PENDING TIMERS',
      'a          5f0c9e2a7b1d4c38  10.0.0.11:8091  yes   0.4s ago   128         0             -           3',
      'b          0e9d1c2b3a4f5e6d  10.0.0.12:8091  yes   0.2s ago   128         12            12.6m       0',
      '(unowned)                                                     0           1             2.0h',
      '',
      'NODE       FUNCTION TYPE  PENDING MSGS  OLDEST MSG',
      'b          example/cart   10            12.6m',
      'b          example/audit  2             4.1s',
      '(unowned)  example/cart   1             2.0h',
    ]);
  });

  it('leaves the backlog table out when nothing waits', () => {
    const text = formatClusterStatus({
      totalKeyGroups: 256,
      members: [member({ keyGroups: 256 })],
      unowned: { keyGroups: 0, pendingMessages: 0, oldestMessageAgeMs: 0, backlog: [] },
    });
    expect(text.split('\n')).toEqual([
      'NODE       INCARNATION       ADVERTISE       LIVE  HEARTBEAT  KEY GROUPS  PENDING MSGS  OLDEST MSG  PENDING TIMERS',
      'a          5f0c9e2a7b1d4c38  10.0.0.11:8091  yes   0.4s ago   256         0             -           0',
      '(unowned)                                                     0           0             -',
    ]);
  });
});

describe('statehouse cluster status: flags (checked before any connection)', () => {
  const STORE = 'postgres://user:secret@127.0.0.1:1/db';

  /** What the CLI prints for the error of `cluster status args`. */
  async function rejectionOf(args: string[]): Promise<{ code: string; text: string }> {
    let error: unknown;
    try {
      await clusterCommand(['status', ...args]);
    } catch (err) {
      error = err;
    }
    if (error instanceof ConfigError) return { code: error.code, text: describeRuntimeError(error) };
    expect(error).toBeInstanceOf(CliUsageError);
    return { code: (error as CliUsageError).code, text: (error as CliUsageError).message };
  }

  it('checks --lease-timeout-ms as run does, naming the flag, the range and the value as typed', async () => {
    for (const value of ['-5', '100', 'lots', '1.5']) {
      expect(await rejectionOf(['--store', STORE, '--lease-timeout-ms', value])).toEqual({
        code: 'ERR_CONFIG_INVALID_OPTION',
        text:
          '--lease-timeout-ms: runtime option leaseMs: expected a whole number ≥ 500, ' +
          `got ${value === '100' ? value : JSON.stringify(value)} [ERR_CONFIG_INVALID_OPTION]`,
      });
    }
  });

  it('needs --store, a postgres:// URL, given once', async () => {
    const missing = await rejectionOf(['--json']);
    expect(missing.code).toBe('ERR_CLI_INVALID_FLAG');
    expect(missing.text).toMatch(
      /^cluster status needs --store postgres:\/\/\.\.\. \(the cluster's database\)\n\nUsage:/u,
    );
    expect(await rejectionOf(['--store', 'mysql://db'])).toEqual({
      code: 'ERR_CONFIG_INVALID_OPTION',
      text:
        '--store: runtime option storeUrl: expected a postgres://user:password@host:port/database URL, ' +
        'got "mysql://db" [ERR_CONFIG_INVALID_OPTION]',
    });
    expect(await rejectionOf(['--store', STORE, '--store=postgres://other/db'])).toEqual({
      code: 'ERR_CLI_INVALID_FLAG',
      text: '--store is given twice ("postgres://user:***@127.0.0.1:1/db", then "postgres://other/db"); give it once',
    });
    for (const store of ['mysql://user:secret@db', 'postgres://user:secret%ZZ@127.0.0.1:1/db']) {
      const rejection = await rejectionOf(['--store', store]);
      expect(rejection.code).toBe('ERR_CONFIG_INVALID_OPTION');
      expect(rejection.text).toContain('--store');
      expect(rejection.text).not.toContain('secret');
    }
    expect((await rejectionOf(['--store', STORE, '--listen', 'a:1'])).text).toContain(
      "Unknown option '--listen'",
    );
  });

  it('names the store without its password when it cannot be read', async () => {
    const rejection = await rejectionOf(['--store', 'postgres://user@127.0.0.1:1/db?password=PW-SECRET']);
    expect(rejection.code).toBe('ERR_CLI_STORE_UNREACHABLE');
    expect(rejection.text).toContain(
      'cannot read the cluster from postgres://user@127.0.0.1:1/db?password=***',
    );
    expect(rejection.text).not.toContain('PW-SECRET');
  });
});
