import { z } from 'zod';
import { ERROR_CODES, RETRYABLE_ERRORS, type ERROR_STATUS } from './constants.js';

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ErrorCode = z.enum(ERROR_CODES).meta({ id: 'ErrorCode' });

export const ApiErrorBody = z
  .object({
    error: z.object({
      code: ErrorCode,
      message: z.string(),
      retryable: z.boolean(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** Build an error body (used by the server; handy for tests). */
export function errorBody(
  code: ErrorCode,
  message: string,
  details?: unknown,
  retryable: boolean = RETRYABLE_ERRORS.includes(code),
): ApiErrorBody {
  return {
    error: { code, message, retryable, ...(details === undefined ? {} : { details }) },
  };
}
