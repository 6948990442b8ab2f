package io.meridian.bench;

import org.HdrHistogram.Histogram;

/**
 * The one-line percentile summary every harness prints, from a histogram of nanoseconds.
 */
final class Percentiles
{
    private Percentiles()
    {
    }

    /**
     * Print what, the count, p50, p90, p99, p99.9 and the maximum, in microseconds.
     */
    static void print(final String what, final Histogram histogram)
    {
        System.out.printf("%-16s count %d  p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us%n",
            what, histogram.getTotalCount(),
            histogram.getValueAtPercentile(50) / 1000.0,
            histogram.getValueAtPercentile(90) / 1000.0,
            histogram.getValueAtPercentile(99) / 1000.0,
            histogram.getValueAtPercentile(99.9) / 1000.0,
            histogram.getMaxValue() / 1000.0);
    }
}
