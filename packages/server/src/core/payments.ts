// Moved to src/payments/ (issue 8); kept while src/http is being reorganised.
export { PaymentService, type ModifyOperation } from '../payments/service.js';
