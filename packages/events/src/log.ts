export type EventLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Same shape as @flowforge/runtime's Logger (runtime depends on this package, not the reverse). */
export type EventLog = (entry: { level?: EventLogLevel; msg: string } & Record<string, unknown>) => void;

const ORDER: Record<EventLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function levelEnabled(level: EventLogLevel, env: NodeJS.ProcessEnv = process.env): boolean {
  return ORDER[level] >= (ORDER[(env.LOG_LEVEL as EventLogLevel) ?? 'info'] ?? ORDER.info);
}

/** One JSON line per entry on stderr, threshold from LOG_LEVEL (default info), like runtime's logger. */
export function defaultEventLog(service = 'events', env: NodeJS.ProcessEnv = process.env): EventLog {
  return ({ level = 'info', msg, ...fields }) => {
    if (!levelEnabled(level, env)) return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, service, msg, ...fields })}\n`);
  };
}

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
