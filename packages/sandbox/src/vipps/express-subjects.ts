/** Which express payment a user session belongs to: an eCom Hurtigkasse order or an ePayment Express payment. */
import type { VippsContext } from './context.js';
import { epaymentExpressSubject } from './epayment-express.js';
import { ecomExpressSubject } from './express.js';
import type { ExpressSubject } from './express-flow.js';
import type { UserSession } from './state.js';

export function expressSubjectOf(ctx: VippsContext, session: UserSession): ExpressSubject | undefined {
  if (session.kind === 'ecom') {
    const payment = ctx.state.ecom.get(session.paymentId);
    return payment?.express ? ecomExpressSubject(payment) : undefined;
  }
  const payment = ctx.state.epayment.get(session.paymentId);
  return payment?.express ? epaymentExpressSubject(payment) : undefined;
}

/** The express payment with this eCom orderId or ePayment reference, if it is one. */
export function expressSubjectById(ctx: VippsContext, id: string): ExpressSubject | undefined {
  const ecom = ctx.state.ecom.get(id);
  if (ecom?.express) return ecomExpressSubject(ecom);
  const epayment = ctx.state.epayment.get(id);
  return epayment?.express ? epaymentExpressSubject(epayment) : undefined;
}
