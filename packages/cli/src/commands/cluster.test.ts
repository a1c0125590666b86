import type { ClusterStatus, MemberStatus } from '@statehouse/runtime';
import { describe, expect, it } from 'vitest';
import { formatClusterStatus } from './cluster.js';

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
