import { jsonType } from '@statehouse/sdk';

export interface AddToCart {
  readonly userId: string;
  readonly itemId: string;
  readonly quantity: number;
}
export interface ItemQuantity {
  readonly itemId: string;
  readonly quantity: number;
}
export interface AddToCartResult extends AddToCart {
  readonly success: boolean;
}
/** The cart's state: item id → quantity. */
export type Items = Readonly<Record<string, number>>;

export const AddToCartType = jsonType<AddToCart>('example/AddToCart');
export const RequestItemType = jsonType<ItemQuantity>('example/RequestItem');
export const ItemReservedType = jsonType<ItemQuantity>('example/ItemReserved');
export const ItemUnavailableType = jsonType<ItemQuantity>('example/ItemUnavailable');
export const RestockItemType = jsonType<ItemQuantity>('example/RestockItem');
export const AddToCartResultType = jsonType<AddToCartResult>('example/AddToCartResult');
export const ItemsType = jsonType<Items>('example/Items');

/** The egress that acknowledges cart actions to the outside world. */
export const CART_RESULTS = 'example/cart-results';
