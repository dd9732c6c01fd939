// The product page's own script (external, for the strict CSP): it gives the express button of
// <pay-with-bank mode="express"> a way to get a checkout session when the shopper clicks it. The
// session is created on this shop's backend, which fixes the amount; the browser only names the item.
for (const el of document.querySelectorAll('pay-with-bank[mode="express"]')) {
  el.createSession = async () => {
    const res = await fetch('/express', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ productId: el.dataset.productId }),
    });
    if (!res.ok) throw new Error(`The shop could not start express checkout (${res.status}).`);
    const { clientToken } = await res.json();
    return clientToken;
  };
}
