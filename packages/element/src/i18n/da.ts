import type { Catalogue } from './catalogue.js';

/**
 * Dansk. Terms: »betalingsmetode«, »godkende« (approve), »netbank/mobilbank«, »ordre«, »butikken«;
 * »…« around quoted input. The provider stays »Vipps« where the English says Vipps: this checkout's Vipps
 * flow is Vipps in Norway (Norwegian mobile numbers), not MobilePay.
 */
export const da: Catalogue = {
  loading: 'Indlæser betalingen…',
  'summary.label': 'Betalingsoplysninger',
  'summary.amount': 'Beløb',
  'summary.payee': 'Modtager',
  'summary.reference': 'Reference',

  'methodChoice.heading': 'Hvordan vil du betale?',
  'method.bank': 'Betal med din bank',
  'method.bank.description': 'Godkend betalingen i din netbank eller mobilbank.',
  'method.vipps': 'Vipps',
  'method.vipps.description': 'Godkend betalingen i Vipps-appen.',
  'method.none': 'Der er ingen betalingsmetoder til rådighed for dette køb. Kontakt butikken.',

  'bankList.heading': 'Vælg din bank',
  'bankList.search': 'Søg efter din bank',
  'bankList.country': 'Land',
  'bankList.legend': 'Banker',
  'bankList.chooseLater': 'Vælg bank på næste side',
  'bankList.chooseLater.description': 'Du vælger din bank på betalingssiden i stedet.',
  'bankList.loading': 'Indlæser banker…',
  'bankList.noMatches': 'Ingen banker matcher »{query}«.',
  'bankList.unavailable': 'Midlertidigt utilgængelig',
  'bankList.selectBank': 'Vælg en bank for at fortsætte.',
  'bankList.lastUsed': 'Senest brugt',

  'pay.bank': 'Betal {amount} til {payee}',
  'pay.vipps': 'Betal {amount} med Vipps',
  'pay.starting': 'Starter betalingen…',

  'vipps.heading': 'Betal med Vipps',
  'vipps.phone': 'Mobilnummer (valgfrit)',
  'vipps.phoneHint': 'Norsk mobilnummer med 8 cifre. Vipps udfylder det for dig.',
  'vipps.phoneInvalid': 'Indtast et norsk mobilnummer med 8 cifre, f.eks. 912 34 567.',

  'redirecting.heading.bank': 'Sender dig videre til din bank…',
  'redirecting.heading.vipps': 'Sender dig videre til Vipps…',
  'redirecting.link': 'Fortsæt, hvis der ikke sker noget',

  'waiting.heading.bank': 'Venter på din bank',
  'waiting.heading.vipps': 'Venter på Vipps',
  'waiting.text.bank': 'Godkend betalingen i din bank. Siden opdateres automatisk.',
  'waiting.text.vipps': 'Godkend betalingen i Vipps-appen. Siden opdateres automatisk.',
  'waiting.checking': 'Tjekker betalingens status…',
  'waiting.continue.bank': 'Fortsæt i din bank',
  'waiting.continue.vipps': 'Fortsæt i Vipps',
  'waiting.countdown': 'Tid tilbage til at godkende: {time}',
  'waiting.countdownOver': 'Tiden til at godkende er gået. Tjekker betalingens status…',
  'waiting.openPayment':
    'Der er allerede en åben betaling for denne ordre. Fortsæt den eller vælg en anden betalingsmetode.',

  'result.completed.heading': 'Betalingen er gennemført',
  'result.completed.text': 'Tak! Gem referencen til senere brug.',
  'result.authorized.heading': 'Betalingen er godkendt',
  'result.authorized.text': 'Tak! Beløbet er reserveret og trækkes, når butikken sender din ordre.',
  'result.failed.heading': 'Betalingen mislykkedes',
  'result.failed.text': 'Betalingen gik ikke igennem.',
  'result.cancelled.heading': 'Betalingen er annulleret',
  'result.cancelled.text': 'Betalingen blev annulleret. Der er ikke trukket nogen penger.',
  'result.expired.heading': 'Tiden til betalingen er udløbet',
  'result.expired.text': 'Betalingen blev ikke godkendt i tide. Der er ikke trukket nogen penger.',
  'result.processing.heading': 'Din betaling behandles stadig',
  'result.processing.text':
    'Betalingen er ikke bekræftet endnu. Tjek igen om lidt – butikken får besked, så snart den er bekræftet.',

  'error.heading': 'Betalingen kunne ikke indlæses',
  'error.generic': 'Noget gik galt. Prøv igen.',
  'error.invalid_request': 'Betalingsanmodningen blev ikke accepteret. Prøv igen eller vælg en anden betalingsmetode.',
  'error.unauthorized': 'Dette betalingslink er ikke længere gyldigt. Gå tilbage til butikken og start forfra.',
  'error.forbidden': 'Dette betalingslink er ikke længere gyldigt. Gå tilbage til butikken og start forfra.',
  'error.not_found': 'Vi kunne ikke finde denne betaling. Gå tilbage til butikken og start forfra.',
  'error.method_not_allowed': 'Noget gik galt. Prøv igen.',
  'error.conflict': 'Betalingen blev ændret, mens vi behandlede den. Prøv igen.',
  'error.payment_in_progress': 'Der er allerede en betaling i gang for denne ordre.',
  'error.invalid_state': 'Denne betaling kan ikke længere ændres.',
  'error.idempotency_key_reused': 'Noget gik galt. Prøv igen.',
  'error.payload_too_large': 'Noget gik galt. Prøv igen.',
  'error.unsupported_media_type': 'Noget gik galt. Prøv igen.',
  'error.return_url_not_allowed': 'Butikken er ikke sat korrekt op til denne betalingsmetode. Kontakt butikken.',
  'error.method_not_available': 'Denne betalingsmetode er ikke tilgængelig lige nu. Vælg en anden betalingsmetode.',
  'error.express_not_supported':
    'Hurtig checkout er ikke tilgængelig for denne betaling. Vælg en anden betalingsmetode.',
  'error.shipping_unavailable': 'Leveringsmulighederne kunne ikke hentes. Prøv igen, eller kontakt butikken.',
  'error.bank_not_available': 'Denne bank kan ikke modtage betalinger lige nu. Vælg en anden bank.',
  'error.amount_exceeds_authorized': 'Noget gik galt. Kontakt butikken.',
  'error.amount_exceeds_captured': 'Noget gik galt. Kontakt butikken.',
  'error.session_expired': 'Betalingssessionen er udløbet. Gå tilbage til butikken og start forfra.',
  'error.rate_limited': 'For mange forsøg lige nu. Vent et øjeblik og prøv igen.',
  'error.attempt_limit_reached':
    'Der har været for mange betalingsforsøg på denne ordre. Gå tilbage til butikken og start betalingen forfra.',
  'error.internal_error': 'Noget gik galt hos os. Prøv igen.',
  'error.provider_error': 'Betalingstjenesten svarede med en fejl. Prøv igen.',
  'error.provider_unavailable': 'Betalingstjenesten er ikke tilgængelig lige nu. Prøv igen om lidt.',
  'error.provider_timeout': 'Betalingstjenesten var for længe om at svare. Prøv igen.',
  'error.network_error':
    'Vi kunne ikke få forbindelse til betalingstjenesten. Tjek din internetforbindelse og prøv igen.',
  'error.timeout': 'Betalingstjenesten var for længe om at svare. Prøv igen.',
  'error.invalid_response': 'Betalingstjenesten sendte et svar, vi ikke kunne læse. Prøv igen.',
  'error.missing_token': 'Betalingslinket er ufuldstændigt. Gå tilbage til butikken og start betalingen forfra.',

  'failure.rejected': 'Betalingen blev afvist.',
  'failure.bank_error': 'Din bank kunne ikke gennemføre betalingen.',
  'failure.expired': 'Betalingen blev ikke gennemført i tide.',
  'failure.create_interrupted': 'Betalingen kunne ikke startes. Der er ikke trukket nogen penger.',
  'failure.rejected_by_bank': 'Din bank afviste betalingen.',
  'failure.rejected_by_user': 'Betalingen blev afvist i din bank eller i Vipps.',
  'failure.insufficient_funds': 'Der var ikke dækning på kontoen.',
  'failure.limit_exceeded': 'Beløbet overskrider en grænse, som din bank har sat.',
  'failure.account_blocked': 'Din bank kunne ikke bruge den valgte konto.',
  'failure.authentication_failed': 'Identifikationen i din bank mislykkedes.',
  'failure.provider_error': 'Betalingstjenesten meldte en fejl.',
  'failure.reservation_failed': 'Vipps kunne ikke reservere beløbet.',
  'failure.unknown': 'Betalingen gik ikke igennem.',

  'status.pending': 'Venter på, at du godkender betalingen.',
  'status.authorized': 'Betalingen er godkendt og afventer bekræftelse.',

  'action.back': 'Tilbage',
  'action.tryAgain': 'Prøv igen',
  'action.chooseAnother': 'Vælg en anden betalingsmetode',
  'action.checkAgain': 'Tjek igen',
};
