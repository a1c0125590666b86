import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliUsageError } from './cli-error.js';
import { describeRuntimeError } from './flag-hints.js';
import { signingKeyFrom } from './signing-key.js';
import { ConfigError } from '@statehouse/runtime';

const KEY = 'hmac-secret-never-print-0a9b8c7d6e5f4a3b';

describe('signingKeyFrom', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signing-key-'));
    await writeFile(join(dir, 'key'), KEY);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads --signing-key FILE, or STATEHOUSE_SIGNING_KEY, or nothing', async () => {
    expect(await signingKeyFrom({ 'signing-key': join(dir, 'key') }, {})).toEqual({ callSigningKey: KEY });
    expect(await signingKeyFrom({}, { STATEHOUSE_SIGNING_KEY: KEY })).toEqual({ callSigningKey: KEY });
    expect(await signingKeyFrom({}, { STATEHOUSE_SIGNING_KEY: '' })).toEqual({});
  });

  it('refuses both at once and an unreadable file, without printing a key', async () => {
    const both = signingKeyFrom({ 'signing-key': join(dir, 'key') }, { STATEHOUSE_SIGNING_KEY: KEY });
    await expect(both).rejects.toBeInstanceOf(CliUsageError);
    await expect(both).rejects.toThrow(/both given/u);
    await expect(both).rejects.not.toThrow(KEY);
    const missing = signingKeyFrom({ 'signing-key': join(dir, 'nope') }, {});
    await expect(missing).rejects.toMatchObject({ code: 'ERR_CLI_INVALID_FLAG' });
  });

  it('names the flag and the variable when the runtime refuses the key', () => {
    const err = new ConfigError('ERR_CONFIG_INVALID_OPTION', 'runtime option callSigningKey: bad', {
      option: 'callSigningKey',
    });
    expect(describeRuntimeError(err)).toMatch(/^--signing-key \(or STATEHOUSE_SIGNING_KEY\): /u);
  });
});
