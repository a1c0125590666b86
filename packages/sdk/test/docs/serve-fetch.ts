import { createFetchHandler } from '@statehouse/sdk';
import { cart } from './cart.js';
import { inventory } from './inventory.js';

const handler = createFetchHandler([cart, inventory]);

// Cloudflare Workers and Bun: export the handler; Deno: Deno.serve(handler).
export default { fetch: handler };
