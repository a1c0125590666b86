import { createLambdaHandler } from '@statehouse/sdk';
import { cart } from './cart.js';
import { inventory } from './inventory.js';

export const handler = createLambdaHandler([cart, inventory]);
