import { readFileSync } from 'node:fs';
import { serve } from '@statehouse/sdk';
import { cart } from './cart.js';
import { inventory } from './inventory.js';

// The runtime's public key; while rotating, the old and the new one (docs/security.md).
const keys = [readFileSync('/etc/statehouse/signing.pub.pem', 'utf8')];
const server = await serve([cart, inventory], { port: 8000, signature: { keys } });
process.once('SIGTERM', () => void server.close());
