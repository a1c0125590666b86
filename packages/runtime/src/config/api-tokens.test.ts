import { describe, expect, it } from 'vitest';

import { ConfigError } from '../errors.js';
import { parseApiTokensFile } from './api-tokens.js';

const TOKEN = 'a-token-of-enough-length';

function rejection(text: string): ConfigError {
  try {
    parseApiTokensFile(text, 'tokens.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const file = (extra: string): string =>
  `tokens:\n  - name: t\n    token: ${TOKEN}\n    scopes: [ingress]\n${extra}`;

describe('parseApiTokensFile rate limits', () => {
  it('reads a rate and a burst', () => {
    expect(parseApiTokensFile(file('    rate: 100/s\n    burst: 200\n'), 'f').tokens[0]).toMatchObject({
      rate: '100/s',
      burst: 200,
    });
    expect(parseApiTokensFile(file('    rate: 10/m\n'), 'f').tokens[0]?.burst).toBeUndefined();
  });

  it.each([
    ['    rate: 100\n', 'tokens.0.rate: expected requests per second, minute or hour, e.g. 100/s'],
    ['    rate: 0/s\n', 'tokens.0.rate: expected requests per second'],
    ['    rate: 5/s\n    burst: 0\n', 'tokens.0.burst: expected a positive whole number'],
    ['    rate: 5/s\n    burst: 1.5\n', 'tokens.0.burst'],
    ['    burst: 10\n', 'tokens.0.burst: burst needs a rate (e.g. rate: 100/s)'],
    ['    rates: 5/s\n', 'rates'],
  ])('refuses %j', (extra, message) => {
    const error = rejection(file(extra));
    expect(error.code).toBe('ERR_CONFIG_INVALID_OPTION');
    expect(error.message).toContain('API tokens file tokens.yaml: ');
    expect(error.message).toContain(message);
    expect(error.message).not.toContain(TOKEN);
  });
});

describe('parseApiTokensFile YAML errors', () => {
  it.each([
    [`tokens:\n  - name: t\n    token: "${TOKEN}\n`],
    [`tokens:\n  - name: t\n    token: ${TOKEN}: [\n`],
    [`tokens:\n  - name: t\n   token: "${TOKEN}\\q"\n`],
  ])('names the line and what is wrong, never the token, for %j', (text) => {
    const error = rejection(text);
    expect(error.code).toBe('ERR_CONFIG_INVALID_OPTION');
    expect(error.message).toMatch(
      /^API tokens file tokens\.yaml: not valid YAML: line \d+, column \d+: .+\([A-Z_]+\)/u,
    );
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain('a-token');
    expect(error.cause).toBeUndefined();
  });
});
