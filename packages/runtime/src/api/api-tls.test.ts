import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDir, createTestCa, type TempDir, type TestCa } from '@statehouse/testkit';
import { readTlsFiles } from './api-tls.js';

describe('readTlsFiles', () => {
  let dir: TempDir;
  let ca: TestCa;
  let server: { cert: string; key: string };
  let other: { cert: string; key: string };

  beforeAll(async () => {
    dir = await createTempDir();
    ca = createTestCa(dir.path);
    server = ca.issue('server');
    other = ca.issue('other');
  }, 60_000);
  afterAll(() => dir?.cleanup());

  const file = (name: string, text: string): string => {
    const path = join(dir.path, name);
    writeFileSync(path, text);
    return path;
  };
  const code = (files: Parameters<typeof readTlsFiles>[0]): unknown => {
    try {
      readTlsFiles(files);
      return 'accepted';
    } catch (err) {
      return [(err as { code?: string }).code, (err as Error).message];
    }
  };

  it('accepts a certificate with its key, and a CA file that holds a certificate', () => {
    expect(code({ certFile: server.cert, keyFile: server.key, clientCaFile: ca.caFile })).toBe('accepted');
  });

  it('refuses, naming the files, what would not make a TLS context or would refuse every client', () => {
    const refused = [
      { certFile: server.cert, keyFile: server.cert },
      { certFile: server.cert, keyFile: other.key },
      { certFile: file('garbage.pem', 'not a pem\n'), keyFile: server.key },
      { certFile: server.cert, keyFile: server.key, clientCaFile: file('empty-ca.pem', '') },
      { certFile: server.cert, keyFile: server.key, clientCaFile: file('bad-ca.pem', 'not a pem\n') },
    ];
    for (const files of refused) {
      const [errorCode, message] = code(files) as [string, string];
      expect(errorCode).toBe('ERR_CONFIG_TLS_FILES');
      expect(message).toContain(files.clientCaFile ?? files.certFile);
    }
  });
});
