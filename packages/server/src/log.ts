/**
 * Structured JSON logs (one object per line) with redaction. Secrets must never reach a log line:
 * sensitive keys are blanked whatever their value, known secret values are masked wherever they
 * appear inside strings, and bearer credentials / client tokens are masked by pattern.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where finished lines go; stdout by default (tests capture it). */
  sink?: (line: string) => void;
  /** Secret values to mask wherever they appear (API keys, client secrets, webhook secrets). */
  secrets?: readonly string[];
  /** Fixed fields on every line. */
  base?: LogFields;
}

export const REDACTED = '[redacted]';

/** Keys whose values are always blanked. */
const SENSITIVE_KEY = /authorization|secret|token|password|api[-_]?key|credential|cookie|client[-_]?id|signature/i;

/** Patterns of credentials inside free text. */
const SENSITIVE_PATTERNS: [RegExp, string][] = [
  [/(Bearer|Basic)\s+[^\s",;]+/gi, `$1 ${REDACTED}`],
  [/pwb_ct_[A-Za-z0-9_-]+/g, `pwb_ct_${REDACTED}`],
  [/(pwb_return=)[^&\s"]+/g, `$1${REDACTED}`],
  // A provider callback path that carries its own per-payment token (an express consent removal).
  [/(\/consents\/[A-Za-z0-9-]+\/)[A-Za-z0-9_-]{20,}/g, `$1${REDACTED}`],
  [/("?x-client-secret"?\s*[:=]\s*"?)[^\s",}]+/gi, `$1${REDACTED}`],
];

export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: readonly string[] = []) {
    // Longest first so a secret containing another is masked whole; ignore tiny values that would mask noise.
    this.secrets = [...new Set(secrets.filter((s) => s.length >= 6))].sort((a, b) => b.length - a.length);
  }

  redactString(value: string): string {
    let out = value;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    for (const [pattern, replacement] of SENSITIVE_PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }

  redact(value: unknown, depth = 0): unknown {
    if (depth > 8) return '[truncated]';
    if (typeof value === 'string') return this.redactString(value);
    if (value === null || typeof value !== 'object') return value;
    if (value instanceof Error) {
      return {
        name: value.name,
        message: this.redactString(value.message),
        ...(value.stack ? { stack: this.redactString(value.stack) } : {}),
        ...('code' in value && typeof value.code === 'string' ? { code: value.code } : {}),
      };
    }
    if (Array.isArray(value)) return value.slice(0, 100).map((v) => this.redact(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SENSITIVE_KEY.test(key) ? REDACTED : this.redact(v, depth + 1);
    }
    return out;
  }
}

/** Fields of the work in progress (the request id), added to every line logged inside it. */
const logContext = new AsyncLocalStorage<LogFields>();

/**
 * Run `work` with `fields` on every log line written inside it, however deep: the HTTP layer sets
 * the request id, so a service's warning names the request that caused it.
 */
export function withLogContext<T>(fields: LogFields, work: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, work);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const redactor = new Redactor(options.secrets);
  const make = (base: LogFields): Logger => {
    const write = (lineLevel: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields) => {
      if (LEVEL_RANK[lineLevel] < LEVEL_RANK[level]) return;
      const record = redactor.redact({
        time: new Date().toISOString(),
        level: lineLevel,
        msg: message,
        ...logContext.getStore(),
        ...base,
        ...fields,
      });
      try {
        sink(JSON.stringify(record));
      } catch {
        // A log line must never take a request down.
      }
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}

/** A logger that drops everything (library use without logs). */
export const silentLogger: Logger = createLogger({ level: 'silent', sink: () => {} });
