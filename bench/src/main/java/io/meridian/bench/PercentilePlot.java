package io.meridian.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.HistogramLogReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws latency percentile distributions as an SVG file, in the usual HdrHistogram form: the percentile on a
 * logarithmic "nines" axis (50 %, 90 %, 99 %, 99.9 %, ...), the latency on a linear axis, one line per series.
 */
final class PercentilePlot
{
    private static final int WIDTH = 800;
    private static final int HEIGHT = 480;
    private static final int LEFT = 80;
    private static final int RIGHT = 40;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final double MAX_NINES = 5;
    private static final String[] COLOURS = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b" };

    private final String title;
    private final List<String> names = new ArrayList<>();
    private final List<Histogram> series = new ArrayList<>();

    PercentilePlot(final String title)
    {
        this.title = title;
    }

    /**
     * @param name      the legend of the series.
     * @param histogram values in nanoseconds.
     * @return this.
     */
    PercentilePlot add(final String name, final Histogram histogram)
    {
        names.add(name);
        series.add(histogram);
        return this;
    }

    /**
     * Write the plot.
     *
     * @param file where, ending in {@code .svg}.
     * @throws IOException if it cannot be written.
     */
    void write(final Path file) throws IOException
    {
        double maxMicros = 1;
        for (final Histogram histogram : series)
        {
            maxMicros = Math.max(maxMicros, histogram.getMaxValue() / 1000.0);
        }
        final double yTop = niceCeiling(maxMicros);
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT,
            escape(title)));
        for (int nines = 0; nines <= MAX_NINES; nines++)
        {
            final double x = x(nines);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" " +
                "stroke=\"#ddd\"/>%n", x, TOP, x, HEIGHT - BOTTOM));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
                HEIGHT - BOTTOM + 18, percentileLabel(nines)));
        }
        for (int tick = 0; tick <= 5; tick++)
        {
            final double value = yTop * tick / 5;
            final double y = y(value, yTop);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" " +
                "stroke=\"#ddd\"/>%n", LEFT, y, WIDTH - RIGHT, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                LEFT - 6, y + 4, format(value)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 18));
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" " +
            "text-anchor=\"middle\">latency (µs)</text>%n", TOP + (HEIGHT - TOP - BOTTOM) / 2,
            TOP + (HEIGHT - TOP - BOTTOM) / 2));
        for (int s = 0; s < series.size(); s++)
        {
            final String colour = COLOURS[s % COLOURS.length];
            svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"");
            for (final HistogramIterationValue value : series.get(s).percentiles(5))
            {
                final double percentile = value.getPercentileLevelIteratedTo();
                if (percentile >= 100.0)
                {
                    break;
                }
                final double nines = Math.min(MAX_NINES, Math.log10(100.0 / (100.0 - percentile)));
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(nines),
                    y(value.getValueIteratedTo() / 1000.0, yTop)));
            }
            svg.append("\"/>\n");
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", LEFT + 10,
                TOP + 16 + 16 * s, colour, escape(names.get(s))));
        }
        svg.append("</svg>\n");
        Files.writeString(file, svg.toString(), StandardCharsets.UTF_8);
    }

    private static double x(final double nines)
    {
        return LEFT + (WIDTH - LEFT - RIGHT) * nines / MAX_NINES;
    }

    private static double y(final double micros, final double yTop)
    {
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * Math.min(micros, yTop) / yTop;
    }

    private static String percentileLabel(final int nines)
    {
        if (nines == 0)
        {
            return "0 %";
        }
        final double percentile = 100.0 - 100.0 / Math.pow(10, nines);
        return String.format(Locale.ROOT, "%s %%", new java.math.BigDecimal(percentile).round(
            new java.math.MathContext(nines + 1)).stripTrailingZeros().toPlainString());
    }

    private static double niceCeiling(final double value)
    {
        final double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (final double step : new double[]{ 1, 2, 2.5, 5, 10 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String format(final double value)
    {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value) :
            String.format(Locale.ROOT, "%.1f", value);
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /**
     * Draw runs side by side from the histograms they wrote ({@code .hlog}, one interval each).
     * <p>
     * Usage: {@code java -cp bench/target/benchmarks.jar io.meridian.bench.PercentilePlot OUT.svg "TITLE"
     * NAME=FILE.hlog ...}
     *
     * @param args the plot file, the title, then one {@code name=file} per series.
     * @throws IOException if a file cannot be read or written.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length < 3)
        {
            throw new IllegalArgumentException("usage: PercentilePlot OUT.svg TITLE NAME=FILE.hlog ...");
        }
        final PercentilePlot plot = new PercentilePlot(args[1]);
        for (int i = 2; i < args.length; i++)
        {
            final int equals = args[i].indexOf('=');
            try (HistogramLogReader reader = new HistogramLogReader(args[i].substring(equals + 1)))
            {
                plot.add(args[i].substring(0, equals), (Histogram)reader.nextIntervalHistogram());
            }
        }
        plot.write(Path.of(args[0]));
    }
}
