/**
 * The public client of the companion server's browser API (exported by the npm entry). The element
 * itself calls the functions in `api/` directly, so the script-tag entry carries only the reads it
 * needs before Pay; types come from the protocol package (types only, so zod stays out of the
 * bundle) and answers are checked with `shape.ts`.
 */
import type {
  Bank,
  CheckoutPayment,
  CheckoutSession,
  StartPaymentRequest,
  StartPaymentResponse,
} from '@pay-with-bank/protocol';
import { readSession, refreshPayment, startPayment } from './api/payments.js';
import { listBanks, type ApiClientOptions } from './api/request.js';

export { ApiError, type ApiClientOptions, type ApiErrorCode, type ClientErrorCode } from './api/request.js';

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  /** The session, with its latest payment and the default country's banks. */
  getSession(signal?: AbortSignal): Promise<CheckoutSession> {
    return readSession(this.options, signal);
  }

  /** The banks of `country`, or of all the session's countries. */
  listBanks(country: string | undefined, signal?: AbortSignal): Promise<Bank[]> {
    return listBanks(this.options, country, signal);
  }

  startPayment(request: StartPaymentRequest, signal?: AbortSignal): Promise<StartPaymentResponse> {
    return startPayment(this.options, request, signal);
  }

  refreshPayment(paymentId: string, signal?: AbortSignal): Promise<CheckoutPayment> {
    return refreshPayment(this.options, paymentId, signal);
  }
}
