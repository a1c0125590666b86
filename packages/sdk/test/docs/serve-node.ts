import { serve } from '@statehouse/sdk';
import { cart } from './cart.js';
import { inventory } from './inventory.js';

const server = await serve([cart, inventory], { port: 8000 });
process.once('SIGTERM', () => void server.close());
