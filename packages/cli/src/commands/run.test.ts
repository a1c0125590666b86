import { ConfigError } from '@statehouse/runtime';
import { describe, expect, it } from 'vitest';
import { CliUsageError } from '../cli-error.js';
import { runCommand } from './run.js';

describe('statehouse run: flags', () => {
  it('rejects a wrong flag value before reading the module files', async () => {
    const run = runCommand(['/nonexistent/module.yaml', '--max-inbox-messages', '-5']);
    await expect(run).rejects.toBeInstanceOf(ConfigError);
    await expect(run).rejects.toMatchObject({ option: 'maxInboxMessages' });
  });

  it('rejects a flag given twice', async () => {
    const run = runCommand(['m.yaml', '--max-inbox-messages', '10', '--max-inbox-messages', '20']);
    await expect(run).rejects.toBeInstanceOf(CliUsageError);
    await expect(run).rejects.toThrow('--max-inbox-messages is given twice ("10", then "20"); give it once');
  });
});
