// `pnpm events:replay-dlq <topic> [--group <consumer group>] [--type <event type>] [--dry-run] [--every <n>]`
// (operator command): republishes the dead letters of <topic> (read from <topic>.dlq on the Kafka
// cluster in KAFKA_BROKERS, KAFKA_NAMESPACE honoured) to <topic>, once each; see
// packages/events/src/dlq-replay.ts. Runs the BUILT package (`pnpm events:replay-dlq` builds first).
// Exit codes: 0 done, 1 failed (progress up to the last committed batch is kept), 2 usage / no Kafka / unknown topic.
import { replayDlqCommand } from '../packages/events/dist/index.js';

replayDlqCommand(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`events:replay-dlq failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
