/**
 * Counts API calls by route and by payment, so tests can measure how a client polls
 * (e.g. "no more than one /details call every 2 s after the first 5 s").
 */
export interface PaymentCallStats {
  total: number;
  byRoute: Record<string, number>;
  firstAt: string;
  lastAt: string;
}

export interface CallStatsSnapshot {
  total: number;
  /** Keyed `METHOD /path/{param}` exactly as in the specs, e.g. `GET /ecomm/v2/payments/{orderId}/details`. */
  byRoute: Record<string, number>;
  /** Keyed by eCom orderId or ePayment reference. */
  byPayment: Record<string, PaymentCallStats>;
}

export class CallStats {
  private total = 0;
  private byRoute = new Map<string, number>();
  private byPayment = new Map<
    string,
    { total: number; byRoute: Map<string, number>; firstAt: number; lastAt: number }
  >();

  record(route: string, paymentId: string | undefined, at: number): void {
    this.total++;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
    if (paymentId === undefined) return;
    let entry = this.byPayment.get(paymentId);
    if (!entry) {
      entry = { total: 0, byRoute: new Map(), firstAt: at, lastAt: at };
      this.byPayment.set(paymentId, entry);
    }
    entry.total++;
    entry.lastAt = at;
    entry.byRoute.set(route, (entry.byRoute.get(route) ?? 0) + 1);
  }

  snapshot(): CallStatsSnapshot {
    return {
      total: this.total,
      byRoute: Object.fromEntries(this.byRoute),
      byPayment: Object.fromEntries(
        [...this.byPayment].map(([id, entry]) => [
          id,
          {
            total: entry.total,
            byRoute: Object.fromEntries(entry.byRoute),
            firstAt: new Date(entry.firstAt).toISOString(),
            lastAt: new Date(entry.lastAt).toISOString(),
          },
        ]),
      ),
    };
  }

  reset(): void {
    this.total = 0;
    this.byRoute.clear();
    this.byPayment.clear();
  }
}
