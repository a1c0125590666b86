/**
 * A Kafka-protocol broker for tests: librdkafka's built-in mock cluster (`rdkafka_mock.h`, in memory only), run by
 * the small C program `native/mockkafka.c`. It is compiled on first use against the system's librdkafka (Debian
 * `librdkafka-dev`; installed with apt-get when missing and this process may) and cached under
 * `node_modules/.cache/statehouse-testkit/`.
 *
 * What the mock cannot show: it hands records of aborted transactions to `read_committed` consumers, and it ignores
 * offsets committed inside a transaction (`sendOffsets`). Plain produce, fetch, consumer groups, offset commits
 * and transactions (begin, send, commit, abort) work.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A running mock cluster. */
export interface MockKafka {
  /** The bootstrap servers, `host:port` each (every broker of the cluster). */
  readonly brokers: readonly string[];
  /** The process id of the mock. */
  readonly pid: number;
  /**
   * Takes broker `id` (1 to the broker count) down: its connections drop and new ones are refused, until
   * {@link MockKafka.brokerUp}.
   */
  brokerDown(id: number): Promise<void>;
  /** Lets broker `id` accept connections again. */
  brokerUp(id: number): Promise<void>;
  /** Stops the mock (its data is gone). */
  stop(): Promise<void>;
}

/** Options of {@link startMockKafka}. */
export interface StartMockKafkaOptions {
  /** Brokers in the cluster. @default 3 */
  readonly brokers?: number;
  /** Topics to create, with their partition counts (replication factor: min(brokers, 3)). */
  readonly topics?: readonly { readonly name: string; readonly partitions: number }[];
}

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(PACKAGE_DIR, 'native', 'mockkafka.c');
const HEADER = '/usr/include/librdkafka/rdkafka_mock.h';

/**
 * Starts a mock Kafka cluster on loopback.
 *
 * @returns once it listens.
 * @throws when librdkafka's headers or a C compiler are missing and cannot be installed, or the mock fails.
 */
export async function startMockKafka(options: StartMockKafkaOptions = {}): Promise<MockKafka> {
  const binary = mockBinary();
  const topics = (options.topics ?? []).map((t) => `${t.name}:${t.partitions}`);
  const child = spawn(binary, [String(options.brokers ?? 3), ...topics], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A command written after the mock exited fails through its missing answer, not as an unhandled 'error'.
  child.stdin.on('error', () => undefined);
  const lines = new LineReader(child);
  const line = await lines.next();
  if (line === undefined) {
    throw new Error(`the mock Kafka broker exited (${child.exitCode}) without listening: ${stderr.trim()}`);
  }
  // Commands run one at a time: each answer line belongs to the command before it.
  let commands: Promise<unknown> = Promise.resolve();
  const command = (text: string): Promise<void> => {
    const done = commands.then(async () => {
      child.stdin.write(`${text}\n`);
      const answer = await lines.next();
      if (answer !== 'ok') throw new Error(`mock Kafka: ${text}: ${answer ?? 'the mock exited'}`);
    });
    commands = done.catch(() => undefined);
    return done;
  };
  return {
    brokers: line.split(',').map((b) => b.trim()),
    pid: child.pid!,
    brokerDown: (id) => command(`down ${id}`),
    brokerUp: (id) => command(`up ${id}`),
    stop: () => stopChild(child),
  };
}

/** The lines a child prints, one `next()` each; `undefined` once it exited. */
class LineReader {
  readonly #queued: string[] = [];
  readonly #waiting: ((line: string | undefined) => void)[] = [];
  #ended = false;

  constructor(child: ChildProcess) {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const waiter = this.#waiting.shift();
      if (waiter === undefined) this.#queued.push(line);
      else waiter(line);
    });
    child.once('exit', () => {
      this.#ended = true;
      for (const waiter of this.#waiting.splice(0)) waiter(undefined);
    });
  }

  next(): Promise<string | undefined> {
    const line = this.#queued.shift();
    if (line !== undefined || this.#ended) return Promise.resolve(line);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** The compiled mock, built now if this source version has no binary in the cache yet. */
function mockBinary(): string {
  const source = readFileSync(SOURCE);
  const version = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const cacheDir = join(repositoryRoot(), 'node_modules', '.cache', 'statehouse-testkit');
  const binary = join(cacheDir, `mockkafka-${version}`);
  if (existsSync(binary)) return binary;
  ensureBuildTools();
  mkdirSync(cacheDir, { recursive: true });
  // Compiled under a unique name, then renamed: test files starting at once may all compile.
  const partial = `${binary}.${process.pid}`;
  run('gcc', ['-O2', '-o', partial, SOURCE, '-lrdkafka']);
  renameSync(partial, binary);
  return binary;
}

/** Installs librdkafka's headers and gcc with apt-get when they are missing (CI and fresh machines run as root). */
function ensureBuildTools(): void {
  const hasGcc = spawnSync('gcc', ['--version']).status === 0;
  if (hasGcc && existsSync(HEADER)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the mock Kafka broker needs gcc and librdkafka-dev: run `sudo apt-get install -y gcc librdkafka-dev`',
    );
  }
  // Another test file may be installing at the same moment: wait for dpkg's lock instead of failing.
  const install = ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-q', 'gcc', 'librdkafka-dev'];
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  try {
    run('apt-get', install, env);
  } catch {
    // A fresh machine may have no package lists yet.
    run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update', '-q'], env);
    run('apt-get', install, env);
  }
}

function run(command: string, args: readonly string[], env: Record<string, string> = {}): void {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status ?? result.error?.message}): ${result.stderr}`,
    );
  }
}

/** The monorepo's root: the nearest directory above this package with a package-lock.json. */
function repositoryRoot(): string {
  let dir = PACKAGE_DIR;
  while (!existsSync(join(dir, 'package-lock.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return PACKAGE_DIR;
    dir = parent;
  }
  return dir;
}
