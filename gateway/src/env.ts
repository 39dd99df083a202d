/** A positive number from env (`integer`: a whole one), or `fallback` when unset; refuses anything else, naming the variable. */
export function positiveFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, options: { integer?: boolean } = {}): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  const ok = options.integer ? Number.isInteger(value) && value >= 1 : Number.isFinite(value) && value > 0;
  if (!ok) throw new Error(`${name} must be a positive ${options.integer ? 'integer' : 'number'}; got "${raw}".`);
  return value;
}
