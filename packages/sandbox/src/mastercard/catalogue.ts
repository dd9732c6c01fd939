/**
 * The sandbox's banks ("providers"): test banks in DK, SE, NO, FI and DE, each with the currency,
 * payment methods, colour and scenario it stands for. Pure data plus small lookups; the JSON shapes
 * the API returns are built in serialize.ts.
 */

export type CountryCode = 'DK' | 'SE' | 'NO' | 'FI' | 'DE';
export type ExecutionType = 'Normal' | 'Instant' | 'SpecificDate';

/** What happens when the shopper confirms at this bank. */
export type BankScenario =
  /** Confirm → Succeeded (or Failed when the chosen account's balance is too low). */
  | 'normal'
  /** Confirm → Failed, rejected by the bank, with status.details filled in. */
  | 'fail'
  /** Confirm → Pending for the configured slow-bank delay, then Succeeded. */
  | 'slow';

export interface SandboxBank {
  id: string;
  name: string;
  countryCode: CountryCode;
  /** Brand across countries; GET /v1/providers/groups groups by it. */
  groupName: string;
  color: string;
  priority: number;
  aliases: string[] | null;
  scenario: BankScenario;
  /** Unavailable banks keep their place in the list but cannot take payments (see README). */
  available: boolean;
  /** Execution types per method; `null` = method not offered. */
  methods: { domestic: ExecutionType[]; sepa: ExecutionType[] | null };
  paymentsAllowedPerAuthorization: number;
  reconciliationEnabled: boolean;
  /** Registration number used for the shopper's (fictional) accounts at this bank. */
  bankCode: string;
}

export const COUNTRY_CURRENCY: Record<CountryCode, 'DKK' | 'SEK' | 'NOK' | 'EUR'> = {
  DK: 'DKK',
  SE: 'SEK',
  NO: 'NOK',
  FI: 'EUR',
  DE: 'EUR',
};

export const COUNTRY_NAMES: Record<CountryCode, string> = {
  DK: 'Denmark',
  SE: 'Sweden',
  NO: 'Norway',
  FI: 'Finland',
  DE: 'Germany',
};

const ALL_TYPES: ExecutionType[] = ['Normal', 'Instant', 'SpecificDate'];
const NO_INSTANT: ExecutionType[] = ['Normal', 'SpecificDate'];
/** FI and DE: domestic is EUR, and SEPA is offered too. */
const EURO_COUNTRIES: readonly CountryCode[] = ['FI', 'DE'];

type BankSeed = Pick<SandboxBank, 'id' | 'name' | 'color' | 'priority'> &
  Partial<Pick<SandboxBank, 'groupName' | 'aliases' | 'available' | 'paymentsAllowedPerAuthorization'>> & {
    scenario?: BankScenario;
    instant?: boolean;
    sepa?: boolean;
  };

function bank(countryCode: CountryCode, bankCode: string, seed: BankSeed): SandboxBank {
  const types = seed.instant === false ? NO_INSTANT : ALL_TYPES;
  const sepa = seed.sepa ?? EURO_COUNTRIES.includes(countryCode);
  const isTestBank = seed.scenario !== undefined || seed.id.endsWith('_TestBank');
  return {
    id: seed.id,
    name: seed.name,
    countryCode,
    groupName: seed.groupName ?? seed.name,
    color: seed.color,
    priority: seed.priority,
    aliases: seed.aliases ?? null,
    scenario: seed.scenario ?? 'normal',
    available: seed.available ?? true,
    methods: { domestic: types, sepa: sepa ? types : null },
    paymentsAllowedPerAuthorization: seed.paymentsAllowedPerAuthorization ?? (isTestBank ? 100 : 1),
    reconciliationEnabled: isTestBank,
    bankCode,
  };
}

/** Test Bank, Fail Bank and Slow Bank exist in every country, like the provider's own test banks. */
function scenarioBanks(country: CountryCode, codes: [string, string, string]): SandboxBank[] {
  return [
    bank(country, codes[0], { id: `${country}_TestBank`, name: 'Test Bank', color: '#13C081', priority: 999 }),
    bank(country, codes[1], {
      id: `${country}_FailBank`,
      name: 'Fail Bank',
      color: '#C2410C',
      priority: 998,
      scenario: 'fail',
    }),
    bank(country, codes[2], {
      id: `${country}_SlowBank`,
      name: 'Slow Bank',
      color: '#A16207',
      priority: 997,
      scenario: 'slow',
    }),
  ];
}

export const SANDBOX_BANKS: readonly SandboxBank[] = [
  ...scenarioBanks('DK', ['9901', '9902', '9903']),
  bank('DK', '2100', {
    id: 'DK_Nordbank',
    name: 'Nordbank',
    color: '#1E4FD8',
    priority: 10,
    aliases: ['Nordbank Danmark'],
    sepa: true,
  }),
  bank('DK', '3001', { id: 'DK_Fjordbank', name: 'Fjord Bank', color: '#0E7490', priority: 20 }),
  bank('DK', '5301', { id: 'DK_Havnebanken', name: 'Havnebanken', color: '#7C3AED', priority: 30, instant: false }),
  bank('DK', '6611', {
    id: 'DK_Kystsparekassen',
    name: 'Kyst Sparekasse',
    color: '#BE185D',
    priority: 40,
    available: false,
  }),

  ...scenarioBanks('SE', ['9911', '9912', '9913']),
  bank('SE', '3300', {
    id: 'SE_Nordbank',
    name: 'Nordbank',
    color: '#1E4FD8',
    priority: 10,
    aliases: ['Nordbank Sverige'],
    sepa: true,
  }),
  bank('SE', '8327', { id: 'SE_Skargardsbanken', name: 'Skärgårdsbanken', color: '#0369A1', priority: 20 }),
  bank('SE', '6000', { id: 'SE_Norrlandsbanken', name: 'Norrlandsbanken', color: '#4D7C0F', priority: 30 }),
  bank('SE', '8201', {
    id: 'SE_Dalasparbank',
    name: 'Dala Sparbank',
    color: '#BE123C',
    priority: 40,
    available: false,
  }),

  ...scenarioBanks('NO', ['9921', '9922', '9923']),
  bank('NO', '6001', {
    id: 'NO_Nordbank',
    name: 'Nordbank',
    color: '#1E4FD8',
    priority: 10,
    aliases: ['Nordbank Norge'],
    sepa: true,
  }),
  bank('NO', '1503', { id: 'NO_Fjellbanken', name: 'Fjellbanken', color: '#155E75', priority: 20, instant: false }),
  bank('NO', '3000', { id: 'NO_Nordlysbanken', name: 'Nordlys Bank', color: '#6D28D9', priority: 30 }),
  bank('NO', '3201', {
    id: 'NO_Vestlandsbanken',
    name: 'Vestlandsbanken',
    color: '#9F1239',
    priority: 40,
    available: false,
  }),

  ...scenarioBanks('FI', ['9931', '9932', '9933']),
  bank('FI', '1000', {
    id: 'FI_Nordbank',
    name: 'Nordbank',
    color: '#1E4FD8',
    priority: 10,
    aliases: ['Nordbank Suomi'],
  }),
  bank('FI', '4700', { id: 'FI_Saimaanpankki', name: 'Saimaan Pankki', color: '#0F766E', priority: 20 }),
  bank('FI', '5000', { id: 'FI_Revontulipankki', name: 'Revontuli Pankki', color: '#7E22CE', priority: 30 }),
  bank('FI', '3131', {
    id: 'FI_Lakeudenpankki',
    name: 'Lakeuden Pankki',
    color: '#B45309',
    priority: 40,
    available: false,
  }),

  ...scenarioBanks('DE', ['99000001', '99000002', '99000003']),
  bank('DE', '37040044', { id: 'DE_Rheinbank', name: 'Rheinbank', color: '#1D4ED8', priority: 10 }),
  bank('DE', '70050000', { id: 'DE_Alpensparkasse', name: 'Alpen-Sparkasse', color: '#DC2626', priority: 20 }),
  bank('DE', '20050550', { id: 'DE_Hansebank', name: 'Hansebank', color: '#0F172A', priority: 30, instant: false }),
  bank('DE', '21050170', {
    id: 'DE_Elbvolksbank',
    name: 'Elbe Volksbank',
    color: '#2563EB',
    priority: 40,
    available: false,
  }),
];

const BANKS_BY_ID = new Map(SANDBOX_BANKS.map((b) => [b.id, b]));

export function findBank(id: string): SandboxBank | undefined {
  return BANKS_BY_ID.get(id);
}

/** Message shown in status.message for banks that are switched off. */
export const UNAVAILABLE_MESSAGE = 'Temporarily unavailable';

export type PaymentMethodName = 'Domestic' | 'SEPA' | 'International' | 'InpaymentForm';

/** Why a bank cannot take a payment, or null when it can (availability is checked separately). */
export function bankMismatch(
  bank: SandboxBank,
  method: PaymentMethodName,
  currency: string,
  executionType: ExecutionType,
): { field: 'paymentMethod' | 'currency' | 'executionType'; message: string } | null {
  let types: ExecutionType[] | null;
  if (method === 'Domestic') {
    const expected = COUNTRY_CURRENCY[bank.countryCode];
    if (currency !== expected) {
      return {
        field: 'currency',
        message: `Domestic payments from ${bank.id} must be in ${expected}${expected === 'EUR' ? '' : ' (use paymentMethod SEPA for EUR)'}`,
      };
    }
    types = bank.methods.domestic;
  } else if (method === 'SEPA') {
    if (currency !== 'EUR') return { field: 'currency', message: 'SEPA payments must be in EUR' };
    types = bank.methods.sepa;
  } else {
    types = null;
  }
  if (!types) return { field: 'paymentMethod', message: `${bank.id} does not offer ${method} payments` };
  if (!types.includes(executionType)) {
    return {
      field: 'executionType',
      message: `${bank.id} does not offer ${executionType} execution for ${method} payments`,
    };
  }
  return null;
}

/** A fictional account the shopper holds at a bank, in the payment's currency. */
export interface SandboxAccount {
  id: string;
  name: string;
  /** Shown masked: bank code + last four digits. */
  number: string;
  balanceMinor: number;
}

/**
 * Every shopper sees the same three accounts at every bank. The budget account holds only 10.00, so
 * choosing it for a larger amount fails with insufficient funds, as a real bank would.
 */
export function accountsAt(bank: SandboxBank): SandboxAccount[] {
  return [
    { id: 'everyday', name: 'Everyday account', number: `${bank.bankCode}0004471234`, balanceMinor: 2_500_000 },
    { id: 'savings', name: 'Savings account', number: `${bank.bankCode}0009925678`, balanceMinor: 15_000_000 },
    { id: 'budget', name: 'Budget account', number: `${bank.bankCode}0003318642`, balanceMinor: 1_000 },
  ];
}
