/** Where the function of a type is served and how to call it, as the dispatcher sees it. */
import type { FunctionType } from '../core/address.js';
import type { FunctionClientOptions } from './function-client.js';

/** Where the function of a type is served and how to call it. */
export interface ResolvedEndpoint {
  readonly url: string;
  /** Unix domain socket of `http+unix` endpoints. */
  readonly socketPath?: string | undefined;
  readonly endpoint: {
    readonly maxNumBatchRequests: number;
    readonly transport: FunctionClientOptions & { readonly callMs: number };
  };
}

/** Resolves function types to endpoints. */
export interface EndpointResolver {
  resolve(type: FunctionType): ResolvedEndpoint | undefined;
}
