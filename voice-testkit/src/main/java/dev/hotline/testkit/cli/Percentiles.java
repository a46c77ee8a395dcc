package dev.hotline.testkit.cli;

import java.util.Collection;

/**
 * p50/p90/p99/max of a set of millisecond values, by the nearest-rank method. Immutable.
 *
 * @param count how many values
 */
public record Percentiles(int count, double p50, double p90, double p99, double max) {

    /** The percentiles of {@code values}; all zero when there are none. */
    public static Percentiles of(Collection<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return new Percentiles(0, 0, 0, 0, 0);
        }
        return new Percentiles(sorted.length, rank(sorted, 50), rank(sorted, 90), rank(sorted, 99),
                sorted[sorted.length - 1]);
    }

    private static double rank(double[] sorted, double percentile) {
        int index = (int) Math.ceil(percentile / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** {@code p50 812 ms  p90 ...}, or {@code no samples}. */
    public String format() {
        if (count == 0) {
            return "no samples";
        }
        return String.format("p50 %6.0f ms  p90 %6.0f ms  p99 %6.0f ms  max %6.0f ms  (n=%d)", p50, p90, p99, max, count);
    }
}
