/**
 * `statehouse dead-letters list|show|replay|discard` against a running runtime whose function type has a
 * dead-letter policy and whose service is down: readable and `--json` output, and the exit codes: 3 for an
 * unknown (or already replayed) dead letter, 2 for a malformed id (4 when no runtime answers is the shared client's,
 * tested in daily-commands.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  RuntimeProcess,
  createTempDir,
  freePort,
  moduleYaml,
  runCli,
  waitFor,
  type CliRun,
  type TempDir,
} from '@statehouse/testkit';

interface Listed {
  deadLetters: { deadLetterId: number; functionType: string; id: string }[];
  truncated: boolean;
}

describe('statehouse dead-letters', () => {
  let dir: TempDir;
  let runtime: RuntimeProcess;

  function cli(...args: string[]): Promise<CliRun> {
    return runCli(args, { env: { STATEHOUSE_URL: runtime.url }, timeoutMs: 30_000 });
  }

  // Polled through the API: a CLI process per poll would make the test slow.
  const listed = async (): Promise<Listed> =>
    (await new ApiClient(runtime.url).get<Listed>('/v1/dead-letters')).body;

  beforeAll(async () => {
    dir = await createTempDir();
    const deadPort = await freePort();
    const endpoints = moduleYaml({
      // Nothing listens there: every attempt fails at once.
      endpoints: [{ functions: 'broken/*', urlPathTemplate: `http://127.0.0.1:${deadPort}/statefun` }],
    });
    const policy =
      'kind: io.statehouse.functions.v1/policy\nspec:\n  functions: broken/*\n  deadLetters:\n    maxAttempts: 2\n';
    runtime = new RuntimeProcess({ dataDir: `${dir.path}/data`, moduleYaml: `${endpoints}---\n${policy}` });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
    await dir?.cleanup();
  });

  it('lists, shows, replays and discards dead letters, readable and as JSON', async () => {
    for (const id of ['one', 'two']) {
      const sent = await new ApiClient(runtime.url).ingressJson('broken/fn', id, 'broken/Job', { job: id });
      expect(sent.status).toBe(202);
    }
    const letters = await waitFor('two dead letters', async () => {
      const answer = await listed();
      return answer.deadLetters.length === 2 ? answer.deadLetters : undefined;
    });
    const [one, two] = [...letters].sort((a, b) => a.id.localeCompare(b.id));

    const table = await cli('dead-letters', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+ADDRESS\s+CREATED\s+BATCH\s+REASON\n/u);
    expect(table.stdout).toMatch(
      new RegExp(`\\n${one!.deadLetterId}\\s+broken/fn/one\\s+\\S+\\s+1\\s+ERR_INVOKE_`, 'u'),
    );

    const shown = await cli('dead-letters', 'show', String(one!.deadLetterId));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`dead letter ${one!.deadLetterId}: broken/fn/one`);
    expect(shown.stdout).toMatch(/\n1\s+broken\/Job\s+-\s+\{"job":"one"\}\n/u);
    const discarded = await cli('dead-letters', 'discard', String(two!.deadLetterId));
    expect(discarded).toMatchObject({ code: 0, stdout: `dead letter ${two!.deadLetterId} discarded\n` });

    const replayed = await cli('dead-letters', 'replay', String(one!.deadLetterId), '--json');
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({
      deadLetterId: one!.deadLetterId,
      messageIds: [expect.any(String)],
    });
    const repeated = await cli('dead-letters', 'replay', String(one!.deadLetterId));
    expect(repeated.code).toBe(3);
    expect(repeated.stderr).toContain('replayed or discarded already');
    // Still failing: the replayed message is dead-lettered again, as a new dead letter of the same address.
    const again = await waitFor('dead-lettered again', async () => {
      const answer = await listed();
      return answer.deadLetters.length === 1 ? answer.deadLetters[0] : undefined;
    });
    expect(again).toMatchObject({ functionType: 'broken/fn', id: 'one' });
    expect(again.deadLetterId).toBeGreaterThan(one!.deadLetterId);
  });

  it('exits 3 for an unknown dead letter and 2 for a malformed id', async () => {
    const unknown = await cli('dead-letters', 'replay', '999999');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('ERR_API_UNKNOWN_DEAD_LETTER');
    const malformed = await cli('dead-letters', 'show', 'abc');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('expected a dead letter id');
  });
});
