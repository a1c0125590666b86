import { describe, expect, it } from 'vitest';
import { SnapshotError } from '../errors.js';
import { parseSnapshotLocation } from './blob-store.js';
import { childLocation, snapshotIdAt } from './create-snapshot.js';
import {
  parseManifest,
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  SNAPSHOT_TABLES,
} from './snapshot-format.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    return err instanceof SnapshotError ? err.code : `not a SnapshotError: ${String(err)}`;
  }
  return undefined;
}

describe('snapshot locations', () => {
  it('reads directories, file URLs and S3 locations with their options', () => {
    expect(parseSnapshotLocation('/backups/x')).toEqual({ kind: 'dir', path: '/backups/x' });
    expect(parseSnapshotLocation('relative/dir')).toEqual({ kind: 'dir', path: 'relative/dir' });
    expect(parseSnapshotLocation('file:///tmp/s')).toEqual({ kind: 'dir', path: '/tmp/s' });
    expect(parseSnapshotLocation('s3://bucket/a/b/?endpoint=http://127.0.0.1:9000&region=eu-west-1')).toEqual(
      {
        kind: 's3',
        bucket: 'bucket',
        prefix: 'a/b',
        endpoint: 'http://127.0.0.1:9000',
        region: 'eu-west-1',
        forcePathStyle: true,
      },
    );
    expect(
      parseSnapshotLocation('s3://bucket?forcePathStyle=false&endpoint=https://s3.example'),
    ).toMatchObject({
      prefix: '',
      forcePathStyle: false,
    });
  });

  it('refuses what is not a location, naming why', () => {
    for (const bad of [
      '',
      's3://',
      's3://u:p@bucket/x',
      's3://b/x?colour=red',
      's3://b/x?endpoint=ftp://h',
      'gs://b/x',
    ])
      expect(
        codeOf(() => parseSnapshotLocation(bad)),
        bad,
      ).toBe('ERR_SNAPSHOT_INVALID_LOCATION');
  });

  it.each([
    's3://AKIA:SECRET@bucket/p',
    's3://AKIA:SECRET@bucket/p?colour=red',
    's3://b/p?password=SECRET',
    's3://b/p?endpoint=http://u:SECRET@minio:9000',
    's3://b/p?endpoint=ftp://u:SECRET@minio',
    'gs://AKIA:SECRET@bucket/p',
  ])('refuses %s without echoing its credentials', (location) => {
    let error: unknown;
    try {
      parseSnapshotLocation(location);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).code).toBe('ERR_SNAPSHOT_INVALID_LOCATION');
    expect((error as SnapshotError).message).toMatch(/^Snapshot location "/u);
    expect((error as SnapshotError).message).not.toMatch(/SECRET|AKIA/u);
  });

  it('puts a child before the options and makes sortable ids', () => {
    expect(childLocation('s3://b/p/?endpoint=http://h:1', 'id1')).toBe('s3://b/p/id1?endpoint=http://h:1');
    expect(childLocation('/d/', 'id1')).toBe('/d/id1');
    const [a, b] = [
      snapshotIdAt(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
      snapshotIdAt(Date.UTC(2026, 0, 2, 3, 4, 5, 7)),
    ];
    expect(a).toMatch(/^20260102T030405006Z-[0-9a-f]{6}$/u);
    expect(a < b).toBe(true);
  });
});

describe('snapshot manifests', () => {
  const valid = {
    format: SNAPSHOT_FORMAT,
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    id: 'x',
    createdAt: '2026-12-06T00:00:00.000Z',
    statehouseVersion: '0.1.0',
    source: { storeKind: 'sqlite', schemaVersion: 6 },
    keyGroups: 256,
    hash: 'h',
    maxMessageSeq: 1,
    maxTimerId: 0,
    files: SNAPSHOT_TABLES.map((t) => ({
      table: t.name,
      name: `${t.name}.jsonl.gz`,
      rows: 1,
      bytes: 10,
      sha256: 'a'.repeat(64),
    })),
  };

  it('reads a valid one and refuses each kind of damage with its code', () => {
    expect(parseManifest(JSON.stringify(valid), 'w').files).toHaveLength(SNAPSHOT_TABLES.length);
    const text = JSON.stringify(valid);
    expect(codeOf(() => parseManifest(text.slice(0, text.length / 2), 'w'))).toBe(
      'ERR_SNAPSHOT_MANIFEST_INVALID',
    );
    expect(
      codeOf(() =>
        parseManifest(JSON.stringify({ ...valid, formatVersion: SNAPSHOT_FORMAT_VERSION + 1 }), 'w'),
      ),
    ).toBe('ERR_SNAPSHOT_FORMAT_TOO_NEW');
    expect(codeOf(() => parseManifest(JSON.stringify({ ...valid, keyGroups: 0 }), 'w'))).toBe(
      'ERR_SNAPSHOT_MANIFEST_INVALID',
    );
    const unknownTable = { ...valid, files: [{ ...valid.files[0]!, table: 'secrets' }] };
    expect(codeOf(() => parseManifest(JSON.stringify(unknownTable), 'w'))).toBe(
      'ERR_SNAPSHOT_MANIFEST_INVALID',
    );
    expect(codeOf(() => parseManifest('null', 'w'))).toBe('ERR_SNAPSHOT_MANIFEST_INVALID');
  });
});
