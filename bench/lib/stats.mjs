// Request figures of the load benchmarks: latencies per kind of request, errors, percentiles.

/** The value below which `p` % of `sorted` (ascending) lie; NaN when there is none. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** What one run's requests did: latencies (ms) and errors per kind, the first error messages. */
export class Recorder {
  latencies = new Map(); // kind → ms[]
  errors = new Map(); // kind → count
  errorSamples = [];
  networkErrors = 0; // requests that got no answer at all (no latency recorded)

  latency(kind, ms) {
    if (!this.latencies.has(kind)) this.latencies.set(kind, []);
    this.latencies.get(kind).push(ms);
  }

  countError(kind, detail) {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
    this.sample(`${kind}: ${detail}`);
  }

  /** Keep `detail` among the first ten error messages. */
  sample(detail) {
    if (this.errorSamples.length < 10) this.errorSamples.push(detail);
  }

  /** Every latency recorded, ascending. */
  all() {
    return [...this.latencies.values()].flat().sort((a, b) => a - b);
  }

  /** Errors counted per kind, in total. */
  errorCount() {
    return [...this.errors.values()].reduce((s, n) => s + n, 0);
  }
}
