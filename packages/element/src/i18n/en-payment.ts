/**
 * The English of what comes after Pay (redirecting, waiting, results, error and failure wording): it
 * ships in the payment chunk and is added to the built-in English when that chunk loads.
 */
export const enPayment = {
  'summary.reference': 'Reference',
  'summary.shipping': 'Shipping',
  'summary.total': 'Total',

  'redirecting.heading.bank': 'Taking you to your bank…',
  'redirecting.heading.vipps': 'Taking you to Vipps…',
  'redirecting.link': 'Continue if nothing happens',

  'waiting.heading.bank': 'Waiting for your bank',
  'waiting.heading.vipps': 'Waiting for Vipps',
  'waiting.text.bank': 'Approve the payment at your bank. This page updates by itself.',
  'waiting.text.vipps': 'Approve the payment in the Vipps app. This page updates by itself.',
  'waiting.checking': 'Checking the payment status…',
  'waiting.continue.bank': 'Continue at your bank',
  'waiting.continue.vipps': 'Continue in Vipps',
  'waiting.countdown': 'Time left to approve: {time}',
  'waiting.countdownOver': 'The time to approve is up. Checking the payment status…',
  'waiting.openPayment': 'A payment for this order is already open. Continue it, or choose another way to pay.',

  'result.completed.heading': 'Payment complete',
  'result.completed.text': 'Thank you! Keep the reference for your records.',
  'result.authorized.heading': 'Payment approved',
  'result.authorized.text': 'Thank you! The amount is reserved and will be charged when the shop sends your order.',
  'result.failed.heading': 'Payment failed',
  'result.failed.text': 'The payment did not go through.',
  'result.cancelled.heading': 'Payment cancelled',
  'result.cancelled.text': 'The payment was cancelled. No money was taken.',
  'result.expired.heading': 'The payment timed out',
  'result.expired.text': 'The payment was not approved in time. No money was taken.',
  'result.processing.heading': 'Your payment is still being processed',
  'result.processing.text':
    'The payment has not been confirmed yet. Check again in a moment; the shop is told as soon as it is confirmed.',

  'status.pending': 'Waiting for you to approve the payment.',
  'status.authorized': 'Payment approved, waiting for confirmation.',

  'action.chooseAnother': 'Choose another way to pay',
  'action.checkAgain': 'Check again',

  // Server and client error codes → what the shopper reads (\`en.ts\` checks that every code has one).
  'error.invalid_request': 'The payment request was not accepted. Please try again or choose another way to pay.',
  'error.unauthorized': 'This checkout link is no longer valid. Please return to the shop and start again.',
  'error.forbidden': 'This checkout link is no longer valid. Please return to the shop and start again.',
  'error.not_found': 'We could not find this payment. Please return to the shop and start again.',
  'error.method_not_allowed': 'Something went wrong. Please try again.',
  'error.conflict': 'The payment changed while we were working on it. Please try again.',
  'error.payment_in_progress': 'A payment is already in progress for this order.',
  'error.invalid_state': 'This payment can no longer be changed.',
  'error.idempotency_key_reused': 'Something went wrong. Please try again.',
  'error.payload_too_large': 'Something went wrong. Please try again.',
  'error.unsupported_media_type': 'Something went wrong. Please try again.',
  'error.return_url_not_allowed': 'The shop is not set up correctly for this payment method. Please contact the shop.',
  'error.method_not_available': 'This payment method is not available right now. Please choose another way to pay.',
  'error.express_not_supported':
    'Express checkout is not available for this payment. Please choose another way to pay.',
  'error.shipping_unavailable': 'The shipping options could not be loaded. Please try again or contact the shop.',
  'error.bank_not_available': 'This bank cannot take payments right now. Please choose another bank.',
  'error.amount_exceeds_authorized': 'Something went wrong. Please contact the shop.',
  'error.amount_exceeds_captured': 'Something went wrong. Please contact the shop.',
  'error.session_expired': 'This checkout has expired. Please return to the shop and start again.',
  'error.rate_limited': 'Too many attempts right now. Please wait a moment and try again.',
  'error.attempt_limit_reached':
    'This order has had too many payment attempts. Please return to the shop and start the checkout again.',
  'error.internal_error': 'Something went wrong on our side. Please try again.',
  'error.provider_error': 'The payment service answered with an error. Please try again.',
  'error.provider_unavailable': 'The payment service is not available right now. Please try again in a moment.',
  'error.provider_timeout': 'The payment service took too long to answer. Please try again.',
  'error.store_unavailable': 'The checkout is temporarily unavailable. Please try again in a moment.',
  'error.timeout': 'The payment service took too long to answer. Please try again.',
  'error.invalid_response': 'The payment service sent an answer we could not read. Please try again.',
  'error.missing_token': 'This payment link is incomplete. Please return to the shop and start the payment again.',

  // Payment failure codes (payment.failure.code) we have wording for; others show the server's message.
  'failure.rejected': 'The payment was declined.',
  'failure.bank_error': 'Your bank could not complete the payment.',
  'failure.expired': 'The payment was not completed in time.',
  'failure.create_interrupted': 'The payment could not be started. No money was taken.',
  'failure.rejected_by_bank': 'Your bank declined the payment.',
  'failure.rejected_by_user': 'The payment was declined in your bank or in Vipps.',
  'failure.insufficient_funds': 'There was not enough money in the account.',
  'failure.limit_exceeded': 'The payment is above a limit set by your bank.',
  'failure.account_blocked': 'Your bank could not use the chosen account.',
  'failure.authentication_failed': 'You could not be identified at your bank.',
  'failure.provider_error': 'The payment service reported an error.',
  'failure.reservation_failed': 'Vipps could not reserve the amount.',
  'failure.unknown': 'The payment did not go through.',
} as const;
