/**
 * The English the script-tag entry carries: everything up to the bank list and the Pay button (the
 * loading screen, the method choice, the bank list, the error screen's fallback). The rest of the
 * English comes with the chunk that shows it (`en-payment.ts`, `en-vipps.ts`, `en-express.ts`); `en.ts` is
 * all of it.
 */
export const enEntry = {
  loading: 'Loading payment…',

  'summary.label': 'Payment details',
  'summary.amount': 'Amount',
  'summary.payee': 'To',

  'methodChoice.heading': 'How would you like to pay?',

  'method.bank': 'Pay with your bank',
  'method.bank.description': 'Approve the payment in your online or mobile bank.',
  'method.vipps': 'Vipps',
  'method.vipps.description': 'Approve the payment in the Vipps app.',
  'method.none': 'No payment method is available for this checkout. Please contact the shop.',

  'bankList.heading': 'Choose your bank',
  'bankList.search': 'Search for your bank',
  'bankList.country': 'Country',
  'bankList.legend': 'Banks',
  'bankList.chooseLater': 'Choose my bank on the next page',
  'bankList.chooseLater.description': 'Pick your bank on the payment page instead.',
  'bankList.loading': 'Loading banks…',
  'bankList.noMatches': 'No banks match “{query}”.',
  'bankList.unavailable': 'Temporarily unavailable',
  'bankList.selectBank': 'Choose a bank to continue.',
  'bankList.lastUsed': 'Last used',

  'pay.bank': 'Pay {amount} to {payee}',
  'pay.starting': 'Starting payment…',

  'error.heading': 'The payment could not be loaded',
  'error.generic': 'Something went wrong. Please try again.',
  'error.network_error': 'We could not reach the payment service. Check your connection and try again.',

  'action.back': 'Back',
  'action.tryAgain': 'Try again',
} as const;
