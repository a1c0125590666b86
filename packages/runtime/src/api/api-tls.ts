/**
 * TLS of the API listener: a certificate and key (PEM files), and optionally a client CA, which makes the API
 * demand client certificates signed by it (mutual TLS). The files are read at start and again on a reload (SIGHUP
 * in the CLI); connections already open keep their session, new ones get the new certificate.
 */
import { readFileSync } from 'node:fs';
import type { SecureContextOptions } from 'node:tls';

import { ConfigError } from '../errors.js';

/** Where the API's TLS material is. */
export interface ApiTlsFiles {
  /** The server certificate chain (PEM). */
  readonly certFile: string;
  /** Its private key (PEM). */
  readonly keyFile: string;
  /** CA certificates (PEM) that client certificates must be signed by: mutual TLS. @default no client certificates */
  readonly clientCaFile?: string | undefined;
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(
      'ERR_CONFIG_TLS_FILES',
      `cannot read the API's TLS ${what} ${path}: ${(err as Error).message}; fix the path or its permissions`,
      { option: 'tls', cause: err },
    );
  }
}

/**
 * Reads the files into the options of a secure context.
 *
 * @param files - the paths.
 * @returns key, certificate and, for mutual TLS, the CA.
 * @throws {@link ConfigError} `ERR_CONFIG_TLS_FILES` naming the file that cannot be read.
 */
export function readTlsFiles(files: ApiTlsFiles): SecureContextOptions {
  return {
    cert: read(files.certFile, 'certificate'),
    key: read(files.keyFile, 'key'),
    ...(files.clientCaFile === undefined ? {} : { ca: read(files.clientCaFile, 'client CA') }),
  };
}
