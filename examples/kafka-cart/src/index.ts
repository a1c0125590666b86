/** The functions of the Kafka cart: its own cart, and the inventory of examples/shopping-cart unchanged. */
import { inventory } from '@statehouse/example-shopping-cart/src/index.js';
import { cart } from './cart.js';

export { cart, RESULTS_EGRESS, RESULTS_TOPIC } from './cart.js';

/** Every function of the example, ready for `serve`. */
export const functions = [cart, inventory];
