/**
 * TLS of the API listener: a certificate and key (PEM files), and optionally a client CA, which makes the API
 * demand client certificates signed by it (mutual TLS). The files are read at start and again on a reload (SIGHUP
 * in the CLI); connections already open keep their session, new ones get the new certificate.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

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
 * Reads the files into the options of a secure context, and checks that they make one: a certificate and its
 * key that OpenSSL reads and that match, and a client CA file that holds at least one certificate (an empty or
 * garbled one would refuse every client).
 *
 * @param files - the paths.
 * @returns key, certificate and, for mutual TLS, the CA.
 * @throws {@link ConfigError} `ERR_CONFIG_TLS_FILES` naming the file that cannot be read or used.
 */
export function readTlsFiles(files: ApiTlsFiles): SecureContextOptions {
  const options: SecureContextOptions = {
    cert: read(files.certFile, 'certificate'),
    key: read(files.keyFile, 'key'),
    ...(files.clientCaFile === undefined ? {} : { ca: read(files.clientCaFile, 'client CA') }),
  };
  try {
    createSecureContext({ cert: options.cert, key: options.key });
  } catch (err) {
    throw new ConfigError(
      'ERR_CONFIG_TLS_FILES',
      `the API's TLS certificate ${files.certFile} and key ${files.keyFile} do not make a TLS context ` +
        `(${(err as Error).message}); give a PEM certificate chain and its own PEM private key`,
      { option: 'tls', cause: err },
    );
  }
  if (files.clientCaFile !== undefined) checkCaFile(options.ca as Buffer, files.clientCaFile);
  return options;
}

function checkCaFile(ca: Buffer, path: string): void {
  try {
    new X509Certificate(ca);
    createSecureContext({ ca });
  } catch (err) {
    throw new ConfigError(
      'ERR_CONFIG_TLS_FILES',
      `the API's TLS client CA file ${path} holds no usable PEM certificate (${(err as Error).message}); ` +
        'give the CA certificates that sign the client certificates',
      { option: 'tls', cause: err },
    );
  }
}
