/** Help texts of the CLI. */
import { runFlagsUsage } from './run-flags.js';

export const MAIN_USAGE = `statehouse — a stateful-functions runtime compatible with Apache Flink Stateful Functions 3.x

Usage:
  statehouse run <module.yaml> [options]   Run the functions, ingresses and egresses of a module
  statehouse cluster status --store URL    Members, key groups per member and backlog of a cluster
  statehouse snapshot create --to LOC      A consistent snapshot of a store to a directory or s3://bucket/prefix
  statehouse snapshot list --from LOC      The snapshots at a location
  statehouse restore --from SNAPSHOT       Restore a snapshot into a data directory or a PostgreSQL database
  statehouse state export|import           State of a function type out as JSON lines, and back in
  statehouse send ns/name/id --type T --json '{...}'   Send a message to an address (ingress)
  statehouse state get ns/name/id          The committed state of an address
  statehouse egress tail ns/name [-f]      The last records of a log egress, and new ones as they come
  statehouse stalled                       Addresses whose invocations keep failing
  statehouse dead-letters list|show|replay|discard   Batches a dead-letter policy moved aside

The commands that talk to a running runtime take --url (default $STATEHOUSE_URL, else http://127.0.0.1:8091)
and --json for output to scripts (send: -o json); they send the token of $STATEHOUSE_API_TOKEN when set, and
wait $STATEHOUSE_TIMEOUT_MS (default 45000) for an answer. Exit codes: 0 done, 1 unexpected failure, 2 usage
error or an error the runtime answered, 3 not found (an address without state, an unknown egress or dead letter),
4 no runtime answers at --url (or not in time).
  statehouse --help                        Show this help
  statehouse --version                     Show the version

Run "statehouse run --help" for the options of run.`;

export const RUN_USAGE = `Usage: statehouse run <module.yaml> [more module files...] [options]

Runs a Statehouse runtime for the given StateFun 3.x module file(s).

Options:
${runFlagsUsage()}

HTTP API (see docs/runtime.md):
  POST /v1/ingress/{namespace}/{name}/{id}   header statefun-type: <typename>; optional idempotency-key
  GET  /v1/egress/{namespace}/{name}?from=OFFSET&limit=N&wait=MS   (wait: long-poll until records exist)
  GET  /v1/state/{namespace}/{name}/{id}
  GET  /v1/stalled, /healthz, /readyz, /metrics
  GET  /v1/dead-letters[/{id}]; POST /v1/dead-letters/{id}/replay, /v1/dead-letters/{id}/discard

Stops cleanly on SIGTERM or SIGINT (Ctrl-C).`;

export const CLUSTER_USAGE = `Usage: statehouse cluster status --store postgres://... [--json] [--lease-timeout-ms N]

Shows the members of a cluster (heartbeat age, advertised address), how many key groups each owns, and the
messages and timers pending in each member's key groups, with the age of the oldest message and the backlog
per function type.`;

const LOCATION_HELP = `Locations: a directory, or s3://bucket/prefix (credentials and region from the AWS default chain;
for S3-compatible stores add ?endpoint=http://host:port, path-style URLs are then the default).`;

export const SNAPSHOT_USAGE = `Usage:
  statehouse snapshot create --to LOCATION [--url URL | --data-dir DIR | --store postgres://...] [--json]
  statehouse snapshot list --from LOCATION [--json]

create takes a transactionally consistent snapshot (state, pending messages, timers, egress logs and cursors,
specs, idempotency keys, connector positions) without stopping processing, and writes it to LOCATION/<id>/:
  --url URL        of a running runtime (it takes the snapshot through its API)
  --data-dir DIR   a data directory no runtime holds (default ./.statehouse)
  --store URL      a PostgreSQL store (a running cluster or not)
list shows every snapshot at a location, oldest first (incomplete ones, with no manifest, too).

${LOCATION_HELP}`;

export const RESTORE_USAGE = `Usage: statehouse restore --from SNAPSHOT (--data-dir DIR | --store postgres://...) [--latest] [--force] [--json]

Checks the snapshot's manifest and every file's SHA-256, then loads it into the target in one transaction,
whatever store kind it was taken from (SQLite into PostgreSQL and back). No runtime may use the target.
  --from SNAPSHOT  LOCATION/<id> as snapshot list shows it; with --latest, a LOCATION (its newest snapshot)
  --force          replace what the target holds (otherwise a target with data is refused)

${LOCATION_HELP}`;

export const STATE_USAGE = `Usage:
  statehouse state get namespace/name/id [--url URL] [--json]
  statehouse state export [--type namespace/name] [--to FILE.jsonl] [--url URL | --data-dir DIR | --store URL]
  statehouse state import --from FILE.jsonl (--data-dir DIR | --store postgres://...) [--chunk-lines N]

export writes one JSON line per address: {"address": {"type", "id"}, "values": {"<name>": {"type", "bytes"
(base64), "json"? (decoded), "expiresAtMs"? (TTL)}}}, read from one consistent cut (stdout without --to).
get prints the committed state of one address of a running runtime (exit code 3 when it has none).
import writes such lines (a value may give "json" instead of "bytes") into a store no runtime uses, N lines per
transaction (default 1000); run it again after an interruption and it goes on after the last committed chunk.`;

export const SEND_USAGE = `Usage: statehouse send namespace/name/id --type namespace/name (--json TEXT | --text TEXT | --base64 B64)
                       [--idempotency-key KEY] [--url URL] [-o json]

Sends one message to an address through the runtime's ingress and prints its message id once it is committed.
--type is the message's typename (e.g. example/AddToCart); the body is the JSON text, UTF-8 text or base64 bytes
given. With --idempotency-key, sending again with the same key never enqueues twice.`;

export const EGRESS_USAGE = `Usage: statehouse egress tail namespace/name [-n N] [-f] [--url URL] [--json]

Prints the last N (default 10) records of a log egress (offset, typename, value: JSON when it decodes, else
base64); with -f, then every new record as it is committed, until interrupted. Exit code 3 for an egress the
runtime does not serve.`;

export const DEAD_LETTERS_USAGE = `Usage:
  statehouse dead-letters list [--limit N] [--url URL] [--json]
  statehouse dead-letters show ID [--url URL] [--json]
  statehouse dead-letters replay ID [--url URL] [--json]
  statehouse dead-letters discard ID [--url URL] [--json]

Batches that a function type's dead-letter policy (deadLetters of io.statehouse.functions.v1/policy) moved aside
after they kept failing, oldest first (list shows the first N, default 100). show prints one with its messages
and last error; replay puts its messages back into the inbox of their address, in their order, once (the dead
letter is deleted in the same transaction); discard deletes it. replay and discard need a token with the admin
scope when the API has tokens. Exit code 3 for an unknown dead letter (also one replayed or discarded already).`;

export const STALLED_USAGE = `Usage: statehouse stalled [--type namespace/name] [--url URL] [--json]

Lists the addresses whose invocations keep failing, oldest first: since when, attempts, batch size, last error.`;
