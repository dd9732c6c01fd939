/**
 * Provider callbacks and webhooks: the adapter authenticates the request first (nothing is parsed
 * before that), then what it says is applied replay-safely (its event key), or — where the body is
 * not signed and so not believed — it only prompts a refresh.
 */
import { crashPoint } from '../crash-points.js'; // test hook (test/crash): no-op unless PWB_CRASH_AT is set
import { ApiError, toApiError } from '../errors.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { PaymentRecord, Store } from '../store/store.js';
import type { PaymentLedger } from './ledger.js';
import type { PaymentRefresher } from './refresher.js';

export interface CallbackOptions {
  store: Store;
  providers: ProviderRegistry;
  ledger: PaymentLedger;
  refresher: PaymentRefresher;
}

export async function handleCallback(
  options: CallbackOptions,
  adapterId: string,
  request: Request,
  subPath: string,
): Promise<PaymentRecord | null> {
  const adapter = options.providers.byId(adapterId);
  if (!adapter?.handleCallback) {
    throw new ApiError('not_found', 'No such callback endpoint.');
  }
  let result;
  try {
    result = await adapter.handleCallback(request, subPath);
  } catch (error) {
    throw toApiError(error);
  }
  const payment = await options.store.findPaymentByProviderId(adapter.id, result.providerPaymentId);
  if (!payment) throw new ApiError('not_found', 'No such payment.');
  crashPoint('callback:before-apply'); // test hook: see crash-points.ts
  if (result.snapshot) {
    return options.ledger.applySnapshot(payment.id, result.snapshot, {
      source: 'callback',
      type: 'callback',
      dedupeKey: result.eventKey,
    });
  }
  return options.refresher.refresh(payment.id, 'callback');
}
