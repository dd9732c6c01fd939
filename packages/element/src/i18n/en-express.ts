/** Express mode's English (it comes with that mode's chunk): the provider's own "buy now" wording. */
export const enExpress = {
  'express.button.vipps': 'Buy now with Vipps',
  'error.session_not_created': 'The shop could not start the payment. Please try again.',
} as const;
