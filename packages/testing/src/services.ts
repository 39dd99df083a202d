/**
 * For tests that need a real service. Set: the tests run. Unset: they are skipped with the reason
 * in their name, unless REQUIRE_SERVICES=1 (CI), where a missing service FAILS instead.
 */
export function describeWithService(envName: 'DATABASE_URL' | 'REDIS_URL' | 'KAFKA_BROKERS', title: string, body: (value: string) => void): void {
  const value = process.env[envName];
  if (value) {
    describe(title, () => body(value));
  } else if (process.env.REQUIRE_SERVICES === '1') {
    describe(title, () => {
      it(`needs ${envName}`, () => {
        throw new Error(`${envName} is not set but REQUIRE_SERVICES=1: this test needs the real service.`);
      });
    });
  } else {
    describe.skip(`${title} (skipped: ${envName} is not set)`, () => body(''));
  }
}
