import { sharedInProcessBus } from './in-process.js';
import { KafkaEventBus, parseBrokers } from './kafka.js';
import type { EventLog } from './log.js';
import type { EventBus } from './types.js';

/**
 * The bus for this process: Apache Kafka when KAFKA_BROKERS (comma-separated host:port) is set,
 * else the process-wide in-process bus. A Kafka bus belongs to the caller (close it); the shared
 * in-process bus is closed by whoever runs the process (the stack), never by one subgraph.
 */
export function createEventBus(env: NodeJS.ProcessEnv = process.env, options: { clientId?: string; log?: EventLog } = {}): EventBus {
  const brokers = parseBrokers(env.KAFKA_BROKERS ?? '');
  if (brokers.length > 0) return new KafkaEventBus({ brokers, env, ...options });
  return sharedInProcessBus(options.log ? { log: options.log } : {});
}
