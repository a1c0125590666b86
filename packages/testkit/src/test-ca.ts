/**
 * A private certificate authority for TLS tests, made with the `openssl` command: a CA and the certificates it
 * signs, as PEM files in a directory (`ca.pem`; `<name>.pem` and `<name>.key` per certificate).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A test CA in a directory. */
export interface TestCa {
  /** The CA certificate's file. */
  readonly caFile: string;
  /**
   * Issues a certificate: for a server on 127.0.0.1 (the default), or for a client.
   *
   * @returns the certificate's and its key's files.
   */
  issue(
    name: string,
    options?: { readonly serial?: string; readonly client?: boolean },
  ): { cert: string; key: string };
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'ignore' });
}

/**
 * Makes a CA in `dir`.
 *
 * @param dir - an existing directory.
 * @returns the CA.
 */
export function createTestCa(dir: string): TestCa {
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=test CA',
  );
  let serial = 0x1000;
  return {
    caFile: join(dir, 'ca.pem'),
    issue: (name, options = {}) => {
      serial += 1;
      return issueCertificate(
        dir,
        name,
        options.serial ?? `0x${serial.toString(16)}`,
        options.client === true,
      );
    },
  };
}

/** Signs a new certificate with the CA of `dir`. */
function issueCertificate(
  dir: string,
  name: string,
  serial: string,
  client: boolean,
): { cert: string; key: string } {
  openssl(
    dir,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  );
  const extensions = client
    ? 'extendedKeyUsage=clientAuth'
    : 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth';
  writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`);
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-set_serial',
    serial,
    '-days',
    '2',
    '-out',
    `${name}.pem`,
    '-extfile',
    `${name}.ext`,
  );
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}
