/**
 * Mastercard Open Finance configuration from PWB_MASTERCARD_* environment variables, validated with
 * zod. Issues are `NAME message` lines like the rest of the server's configuration; no message ever
 * echoes a value (the client id and secret are credentials).
 */
import { CURRENCIES } from '@pay-with-bank/protocol';
import type { Currency } from '@pay-with-bank/protocol';
import { z } from 'zod';

/** A payee bank account: IBAN (SEPA and domestic) or a domestic bank code + account number. */
export type PayeeAccount = { kind: 'iban'; iban: string } | { kind: 'bban'; bankCode: string; accountNumber: string };

export interface MastercardConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Payee account per currency; the adapter offers exactly these currencies. */
  accounts: Partial<Record<Currency, PayeeAccount>>;
  userHashSalt: string;
}

export const DEFAULT_MASTERCARD_BASE_URL = 'https://api.nordicapigateway.com';
/** The user hash only has to be stable and unlinkable to our ids; a public default salt suffices. */
export const DEFAULT_USER_HASH_SALT = 'pay-with-bank-user';

const accountVar = (currency: Currency) => `PWB_MASTERCARD_ACCOUNT_${currency}` as const;

/** Every variable this module reads. */
export const MASTERCARD_ENV_NAMES = [
  'PWB_MASTERCARD_BASE_URL',
  'PWB_MASTERCARD_CLIENT_ID',
  'PWB_MASTERCARD_CLIENT_SECRET',
  'PWB_MASTERCARD_USER_HASH_SALT',
  ...CURRENCIES.map(accountVar),
] as const;

/** ISO 13616 check: country, check digits, BBAN; mod-97 of the rearranged number equals 1. */
export function isValidIban(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const digits = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}

/** `iban:<IBAN>` or `bban:<bankCode>:<accountNumber>` → the account, or why it is not one. */
export function parsePayeeAccount(value: string): PayeeAccount | string {
  const [kind, ...rest] = value.trim().split(':');
  if (kind === 'iban' && rest.length === 1) {
    const iban = rest[0]!.replace(/\s+/g, '').toUpperCase();
    return isValidIban(iban) ? { kind: 'iban', iban } : 'is not a valid IBAN (iban:<IBAN>)';
  }
  if (kind === 'bban' && rest.length === 2) {
    const [bankCode, accountNumber] = rest as [string, string];
    if (!/^[0-9A-Za-z]{1,12}$/.test(bankCode)) return 'has an invalid bank code (bban:<bankCode>:<accountNumber>)';
    if (!/^[0-9A-Za-z]{1,34}$/.test(accountNumber))
      return 'has an invalid account number (bban:<bankCode>:<accountNumber>)';
    return { kind: 'bban', bankCode, accountNumber };
  }
  return 'must be iban:<IBAN> or bban:<bankCode>:<accountNumber>';
}

const isHttpUrl = (value: string) => {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
};

const Account = z.string().transform((raw, ctx): PayeeAccount => {
  const parsed = parsePayeeAccount(raw);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});
const required = { error: 'is required when Mastercard is configured' };

export const MastercardEnvSchema = z.object({
  PWB_MASTERCARD_BASE_URL: z
    .string()
    .refine(isHttpUrl, 'must be an absolute http(s) URL')
    .transform((url) => url.replace(/\/+$/, ''))
    .default(DEFAULT_MASTERCARD_BASE_URL),
  PWB_MASTERCARD_CLIENT_ID: z.string(required),
  PWB_MASTERCARD_CLIENT_SECRET: z.string(required),
  PWB_MASTERCARD_USER_HASH_SALT: z.string().default(DEFAULT_USER_HASH_SALT),
  PWB_MASTERCARD_ACCOUNT_DKK: Account.optional(),
  PWB_MASTERCARD_ACCOUNT_SEK: Account.optional(),
  PWB_MASTERCARD_ACCOUNT_NOK: Account.optional(),
  // SEPA pays EUR, and SEPA needs an IBAN.
  PWB_MASTERCARD_ACCOUNT_EUR: Account.refine(
    (a) => a.kind === 'iban',
    'must be an IBAN (EUR is paid by SEPA)',
  ).optional(),
});

const NO_ACCOUNT =
  'Mastercard needs at least one payee account: set PWB_MASTERCARD_ACCOUNT_DKK, _SEK, _NOK or _EUR (e.g. iban:DK5000400440116243)';

/** The Mastercard configuration, null when no PWB_MASTERCARD_* variable is set, or the problems. */
export function loadMastercardConfig(env: Readonly<Record<string, string | undefined>>): {
  config: MastercardConfig | null;
  issues: string[];
} {
  const present: Record<string, string> = {};
  for (const name of MASTERCARD_ENV_NAMES) {
    const value = env[name]?.trim();
    if (value) present[name] = value;
  }
  if (Object.keys(present).length === 0) return { config: null, issues: [] };
  const parsed = MastercardEnvSchema.safeParse(present);
  const issues = parsed.success ? [] : parsed.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
  if (CURRENCIES.every((c) => present[accountVar(c)] === undefined)) issues.push(NO_ACCOUNT);
  if (!parsed.success || issues.length > 0) return { config: null, issues: [...new Set(issues)] };
  const e = parsed.data;
  const accounts: Partial<Record<Currency, PayeeAccount>> = {};
  for (const currency of CURRENCIES) {
    const account = e[accountVar(currency)];
    if (account) accounts[currency] = account;
  }
  return {
    config: {
      baseUrl: e.PWB_MASTERCARD_BASE_URL,
      clientId: e.PWB_MASTERCARD_CLIENT_ID,
      clientSecret: e.PWB_MASTERCARD_CLIENT_SECRET,
      accounts,
      userHashSalt: e.PWB_MASTERCARD_USER_HASH_SALT,
    },
    issues: [],
  };
}

/** Values of this configuration that must never appear in a log line, response or error message. */
export function mastercardSecrets(config: MastercardConfig): string[] {
  const secrets = [config.clientId, config.clientSecret];
  if (config.userHashSalt !== DEFAULT_USER_HASH_SALT) secrets.push(config.userHashSalt);
  return secrets;
}
