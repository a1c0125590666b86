/** The shopping-cart functions, ready to serve. */
export { cart } from './cart.js';
export { inventory } from './inventory.js';
export * as messages from './messages.js';
import { cart } from './cart.js';
import { inventory } from './inventory.js';

/** Every function of the example. */
export const functions = [cart, inventory];
