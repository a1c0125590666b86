/**
 * The AWS Lambda function: this file (bundled, e.g. with esbuild) is what is deployed, behind a function URL. It
 * serves `example/cart` (results to Kinesis) and `example/inventory` of examples/shopping-cart; Statehouse calls it
 * over HTTP with StateFun's request-reply protocol and keeps the state, so the function itself is stateless.
 */
import { createLambdaHandler } from '@statehouse/sdk';
import { inventory } from '@statehouse/example-shopping-cart/src/index.js';
import { cart } from './cart.js';

/** The Lambda handler (`lambda.handler`): a function URL (payload format 2.0) or API Gateway event in, reply out. */
export const handler = createLambdaHandler([cart, inventory]);
