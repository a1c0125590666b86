import type { EndpointConfig, ModuleConfig } from './module-types.js';
import { splitModuleTypename } from './typename.js';
import { expandUrlTemplate, type EndpointTarget } from './url-template.js';

/** The endpoint that serves a function type, and where to send its requests. */
export interface ResolvedEndpoint extends EndpointTarget {
  /** The endpoint document that binds the type. */
  readonly endpoint: EndpointConfig;
}

/** Finds the endpoint of a function type. */
export interface EndpointResolver {
  /**
   * Resolves a function type to its endpoint and URL.
   *
   * @param functionType - `namespace/name`.
   * @returns the endpoint and URL, or `undefined` when no endpoint binds the type (or it is not a valid
   *   `namespace/name`).
   */
  resolve(functionType: string): ResolvedEndpoint | undefined;
}

/** Options of a {@link FunctionTypeRouter}. */
export interface FunctionTypeRouterOptions {
  /**
   * How many resolved function types to remember. Bounded because a wildcard binding resolves any name,
   * and names can come from outside (ingress requests).
   * @default 10000
   */
  readonly cacheSize?: number;
}

/**
 * Routes function types to endpoints: a specific binding (`ns/name`) wins over a namespace binding
 * (`ns/*`), and every `{function.name}` of the endpoint's `urlPathTemplate` becomes the type's name.
 * Results are cached (least recently used first out).
 *
 * For `http+unix` / `https+unix` templates the result carries `socketPath`: connect to that socket and send
 * the request to `url` (whose host is a placeholder).
 *
 * @example
 * const router = new FunctionTypeRouter(await loadModuleFile('module.yaml'));
 * router.resolve('com.example/greeter')?.url; // 'http://functions.svc:8000/statefun/greeter'
 */
export class FunctionTypeRouter implements EndpointResolver {
  readonly #byType = new Map<string, EndpointConfig>();
  readonly #byNamespace = new Map<string, EndpointConfig>();
  readonly #cache = new Map<string, ResolvedEndpoint>();
  readonly #cacheSize: number;

  /**
   * @param module - a loaded module (bindings are unique, as {@link loadModuleFiles} checks).
   * @param options - cache settings.
   */
  constructor(module: Readonly<ModuleConfig>, options: FunctionTypeRouterOptions = {}) {
    for (const endpoint of module.endpoints) {
      if (endpoint.name === '*') this.#byNamespace.set(endpoint.namespace, endpoint);
      else this.#byType.set(`${endpoint.namespace}/${endpoint.name}`, endpoint);
    }
    this.#cacheSize = Math.max(0, options.cacheSize ?? 10_000);
  }

  /**
   * Resolves a function type to its endpoint and URL.
   *
   * @param functionType - `namespace/name`.
   * @returns the endpoint and URL, or `undefined` when no endpoint binds the type (or it is not a valid
   *   `namespace/name`).
   * @throws {@link ConfigError} `ERR_CONFIG_INVALID_URL` when the type's name makes the endpoint's URL invalid
   *   (only possible with `{function.name}` in the host part of the template).
   */
  resolve(functionType: string): ResolvedEndpoint | undefined {
    const cached = this.#cache.get(functionType);
    if (cached !== undefined) {
      // Re-insert so that Map order is least recently used first.
      this.#cache.delete(functionType);
      this.#cache.set(functionType, cached);
      return cached;
    }
    const split = splitModuleTypename(functionType, false);
    if (!('parts' in split)) return undefined;
    const endpoint = this.#byType.get(functionType) ?? this.#byNamespace.get(split.parts.namespace);
    if (endpoint === undefined) return undefined;
    const resolved: ResolvedEndpoint = Object.freeze({
      endpoint,
      ...expandUrlTemplate(endpoint.urlPathTemplate, split.parts.name),
    });
    if (this.#cacheSize > 0) {
      if (this.#cache.size >= this.#cacheSize) {
        const oldest = this.#cache.keys().next();
        if (oldest.done !== true) this.#cache.delete(oldest.value);
      }
      this.#cache.set(functionType, resolved);
    }
    return resolved;
  }
}

/**
 * Creates the resolver of a module's function types; see {@link FunctionTypeRouter}.
 *
 * @param module - a loaded module.
 * @param options - cache settings.
 * @returns the resolver.
 */
export function createEndpointResolver(
  module: Readonly<ModuleConfig>,
  options: FunctionTypeRouterOptions = {},
): EndpointResolver {
  return new FunctionTypeRouter(module, options);
}
