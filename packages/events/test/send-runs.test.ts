import { KAFKA_MAX_SEND_BYTES, sendRuns } from '../src/kafka.js';

describe('sendRuns (Kafka sends stay under the broker\'s record-batch limit)', () => {
  it('groups consecutive messages up to the byte budget, in order; a larger one goes alone', () => {
    expect(sendRuns([])).toEqual([]);
    expect(sendRuns([10, 20, 30], 100)).toEqual([[0, 3]]);
    expect(sendRuns([60, 30, 20, 90, 10], 100)).toEqual([[0, 2], [2, 3], [3, 5]]);
    expect(sendRuns([250, 10, 10], 100)).toEqual([[0, 1], [1, 3]]);
    // 40 pages of ~180 KB with one key (one partition): never more than the budget per send.
    const sizes = Array.from({ length: 40 }, () => 180_000);
    const runs = sendRuns(sizes);
    expect(runs.flatMap(([a, b]) => sizes.slice(a, b)).length).toBe(40);
    for (const [a, b] of runs) expect(sizes.slice(a, b).reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(KAFKA_MAX_SEND_BYTES);
    // Small events still go in one send.
    expect(sendRuns(Array.from({ length: 100 }, () => 700))).toEqual([[0, 100]]);
  });
});
