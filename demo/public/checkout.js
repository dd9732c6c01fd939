// The checkout page's own script (external, so the page runs under a strict CSP).
// It listens to <pay-with-bank>'s events the way a merchant would.
const el = document.querySelector('pay-with-bank');
if (el) {
  el.addEventListener('pwb-complete', (event) => {
    // Payment succeeded (or was reserved, for Vipps): empty the cart (unless this was an express
    // order for one item); the order page shows the rest.
    const order = encodeURIComponent(event.detail.reference);
    fetch(`/cart/clear?order=${order}`, { method: 'POST' }).catch(() => {});
    const status = document.createElement('p');
    status.className = 'after';
    status.setAttribute('data-testid', 'merchant-thanks');
    status.textContent = `Thank you! Order ${event.detail.reference} is paid.`;
    el.after(status);
  });
}
