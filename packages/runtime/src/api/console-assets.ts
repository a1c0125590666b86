/**
 * The web console's files (`packages/runtime/console/`, committed, plain HTML, ES modules and CSS: nothing to
 * build), served from memory under `/console/` with an ETag, so a browser revalidates with a 304 and never
 * downloads them twice. The Content-Security-Policy allows this origin only: the console loads nothing from
 * elsewhere.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's directory: `packages/runtime/console/`, next to `src/` and `dist/`. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** The console's files, read once on first use. */
export class ConsoleAssets {
  readonly #dir: string;
  #files: Map<string, Asset> | undefined;

  /** @param dir - where the files are. @default {@link CONSOLE_DIR} */
  constructor(dir: string = CONSOLE_DIR) {
    this.#dir = dir;
  }

  /**
   * Serves `/console`, `/console/` and `/console/<file>`.
   *
   * @returns whether `pathname` was a console path.
   */
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (pathname === '/console') {
      res.writeHead(308, { location: '/console/' });
      res.end();
      return true;
    }
    if (!pathname.startsWith('/console/')) return false;
    const name = pathname === '/console/' ? 'index.html' : pathname.slice('/console/'.length);
    const asset = this.#load().get(name);
    if (asset === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      res.end(`no console file ${name}\n`);
      return true;
    }
    const headers = { etag: asset.etag, 'cache-control': 'no-cache', ...SECURITY_HEADERS };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, 'content-type': asset.type, 'content-length': asset.body.length });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
    return true;
  }

  /** Total bytes of the console's files. */
  get totalBytes(): number {
    let n = 0;
    for (const a of this.#load().values()) n += a.body.length;
    return n;
  }

  #load(): Map<string, Asset> {
    if (this.#files !== undefined) return this.#files;
    const files = new Map<string, Asset>();
    for (const name of readdirSync(this.#dir)) {
      const type = CONTENT_TYPES[extname(name)];
      if (type === undefined) continue;
      const body = readFileSync(new URL(name, `file://${this.#dir}`));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      files.set(name, { body, type, etag });
    }
    return (this.#files = files);
  }
}
