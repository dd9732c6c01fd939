/**
 * The CLI's environment (`pwb-sandbox`), validated with zod: every problem is reported at once and
 * nothing starts on a bad value.
 */
import { z } from 'zod';
import type { StartSandboxServerOptions } from './server.js';
import { HttpUrl } from './shared/url.js';

const SandboxEnv = z.object({
  PWB_SANDBOX_PORT: z.coerce.number().int().min(0).max(65_535).default(4010),
  PWB_SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  PWB_SANDBOX_PUBLIC_URL: HttpUrl.optional(),
  /** What the Vipps landing page and phone show; at Vipps it comes from the merchant's profile. */
  PWB_SANDBOX_VIPPS_MERCHANT_NAME: z
    .string()
    .trim()
    .min(1, 'must not be empty (unset it for the default)')
    .max(100, 'must be at most 100 characters')
    .optional(),
});

export type SandboxEnvResult =
  { ok: true; options: StartSandboxServerOptions & { port: number; host: string } } | { ok: false; message: string };

export function sandboxOptionsFromEnv(env: Record<string, string | undefined>): SandboxEnvResult {
  const parsed = SandboxEnv.safeParse(env);
  if (!parsed.success) return { ok: false, message: z.prettifyError(parsed.error) };
  const value = parsed.data;
  return {
    ok: true,
    options: {
      port: value.PWB_SANDBOX_PORT,
      host: value.PWB_SANDBOX_HOST,
      ...(value.PWB_SANDBOX_PUBLIC_URL ? { publicUrl: value.PWB_SANDBOX_PUBLIC_URL } : {}),
      ...(value.PWB_SANDBOX_VIPPS_MERCHANT_NAME
        ? { vipps: { merchantName: value.PWB_SANDBOX_VIPPS_MERCHANT_NAME } }
        : {}),
    },
  };
}
