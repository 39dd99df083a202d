/** Pure validation for AI model registrations: no I/O, no Prisma. Errors are BAD_USER_INPUT naming the field. */
import { badInput, requireText } from '@flowforge/runtime';

export const MAX_METRICS_BYTES = 16 * 1024;

export type JsonObject = { [key: string]: unknown };

export interface RegisterModelInput {
  name: string;
  version: string;
  modelType: string;
  performanceMetrics?: unknown;
}

export interface ValidModel {
  name: string;
  version: string;
  modelType: string;
  performanceMetrics: JsonObject;
}

/** Metrics are a JSON object (not an array or a scalar), at most 16 KB once serialized; missing means {}. */
export function validateMetrics(value: unknown, field = 'performanceMetrics'): JsonObject {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw badInput(`${field} must be a JSON object such as {"accuracy": 0.93}.`, field);
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') > MAX_METRICS_BYTES) throw badInput(`${field} can be at most ${MAX_METRICS_BYTES / 1024} KB of JSON.`, field);
  return value as JsonObject;
}

export function validateRegisterModel(input: RegisterModelInput): ValidModel {
  return {
    name: requireText(input.name, 'name', { max: 100 }),
    version: requireText(input.version, 'version', { max: 50 }),
    modelType: requireText(input.modelType, 'modelType', { max: 50 }),
    performanceMetrics: validateMetrics(input.performanceMetrics),
  };
}
