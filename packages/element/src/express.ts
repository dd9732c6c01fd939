/**
 * Express mode's chunk (a file next to the script-tag entry, loaded from the entry's URL when the
 * element starts with `mode="express"` and no token): the provider's "buy now" button, asking the
 * page's `createSession` for a token, and their English and styles. A checkout page never loads it.
 */
import { CLIENT_TOKEN_PATTERN } from '@pay-with-bank/protocol/constants';
import { ApiError } from './api/request.js';

export { enExpress as texts } from './i18n/en-express.js';
export { expressStyles as styles, renderExpress } from './screens/express.js';

/** The client token the page's `createSession` gives, or why there is none (session_not_created). */
export async function createToken(create: (() => Promise<string>) | null): Promise<string | ApiError> {
  let token: unknown;
  try {
    if (!create) throw new Error('set createSession on the element for express mode');
    token = await create();
  } catch (error) {
    token = error;
  }
  if (typeof token === 'string' && CLIENT_TOKEN_PATTERN.test(token)) return token;
  return new ApiError(
    'session_not_created',
    token instanceof Error ? token.message : 'createSession gave no client token',
    true,
  );
}
