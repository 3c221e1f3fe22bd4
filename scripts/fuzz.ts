// `npm run fuzz`: the web-host fuzzer (server/fuzz.ts) at full size — every known crash input,
// 10,000 random WebSocket messages and 1,000 malformed HTTP requests, seeded (FUZZ_SEED, default 1).
// Exits non-zero if the host or its engine went down or stopped answering. CI runs a smaller count
// as a unit test (server/fuzz.test.ts).
import { runFuzz } from '../server/fuzz';

const seed = Number(process.env['FUZZ_SEED'] ?? 1);
const socketMessages = Number(process.env['FUZZ_MESSAGES'] ?? 10_000);
const httpRequests = Number(process.env['FUZZ_HTTP'] ?? 1_000);

runFuzz({ seed, socketMessages, httpRequests, log: (l) => process.stderr.write(`${l}\n`) }).then(
  (report) => {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (report.engineRestarts > 0 || report.replies.none > 0) {
      process.stderr.write(`fuzz: the engine restarted ${report.engineRestarts} times, ${report.replies.none} checks got no reply\n`);
      process.exit(1);
    }
    process.stderr.write(`fuzz: the host and the engine stayed up (${report.socketMessages} socket messages, ${report.httpRequests} HTTP requests, ${report.seconds.toFixed(0)} s)\n`);
  },
  (e: unknown) => {
    process.stderr.write(`fuzz failed: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
