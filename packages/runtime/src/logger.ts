export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (entry: { level?: LogLevel; msg: string } & Record<string, unknown>) => void;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEYS = /pass(word)?|token|secret|authorization|cookie|jwk|key$/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, SECRET_KEYS.test(key) ? '[redacted]' : redact(inner, depth + 1)]));
}

/** One JSON line per entry on stderr; fields named like secrets are redacted. LOG_LEVEL picks the threshold. */
export function createLogger(service: string, env: NodeJS.ProcessEnv = process.env): Logger {
  const threshold = ORDER[(env.LOG_LEVEL as LogLevel) ?? 'info'] ?? ORDER.info;
  return ({ level = 'info', msg, ...fields }) => {
    if (ORDER[level] < threshold) return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, service, msg, ...(redact(fields) as object) })}\n`);
  };
}
