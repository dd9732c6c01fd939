/** A controllable clock for tests. */
export class TestClock {
  private ms: number;
  constructor(start = '2030-01-15T12:00:00.000Z') {
    this.ms = Date.parse(start);
  }
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}
