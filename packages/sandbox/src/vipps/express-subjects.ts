/** Which express payment a user session belongs to (eCom Hurtigkasse orders). */
import type { VippsContext } from './context.js';
import { ecomExpressSubject } from './express.js';
import type { ExpressSubject } from './express-flow.js';
import type { UserSession } from './state.js';

export function expressSubjectOf(ctx: VippsContext, session: UserSession): ExpressSubject | undefined {
  if (session.kind !== 'ecom') return undefined;
  const payment = ctx.state.ecom.get(session.paymentId);
  return payment?.express ? ecomExpressSubject(payment) : undefined;
}

/** The express payment with this eCom orderId, if it is one. */
export function expressSubjectById(ctx: VippsContext, id: string): ExpressSubject | undefined {
  const ecom = ctx.state.ecom.get(id);
  return ecom?.express ? ecomExpressSubject(ecom) : undefined;
}
