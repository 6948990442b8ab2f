package io.meridian.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.meridian.config.MeridianConfig;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sets up logging from the settings: SLF4J through Logback, every line in one format ({@code log.format}: plain, or
 * JSON lines for a log collector) at {@code log.level}, with java.util.logging routed in. Warnings and errors are
 * counted, so that an operator can see that something was logged without reading the log. Logging is for the
 * edges (start, stop, links, sessions, distinct errors); the engine's hot path never logs.
 */
public final class Logging
{
    private static final AtomicLong WARNINGS = new AtomicLong();
    private static final AtomicLong ERRORS = new AtomicLong();
    private static final String PLAIN_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger - %msg%n%ex";

    private Logging()
    {
    }

    /**
     * Replace whatever logging configuration there is with the one the settings ask for, writing to standard error.
     *
     * @param config the settings.
     */
    public static void configure(final MeridianConfig config)
    {
        configure(config.logFormat(), config.logLevel(), System.err);
    }

    /**
     * @param format {@code plain} or {@code json}.
     * @param level  the least severe level logged.
     * @param out    where lines go.
     */
    static void configure(final String format, final String level, final OutputStream out)
    {
        final LoggerContext context = (LoggerContext)LoggerFactory.getILoggerFactory();
        context.reset();

        final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("main");
        if ("json".equals(format))
        {
            final LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
            final JsonLineLayout layout = new JsonLineLayout();
            layout.setContext(context);
            layout.start();
            encoder.setLayout(layout);
            encoder.setContext(context);
            encoder.start();
            appender.setEncoder(encoder);
        }
        else
        {
            final PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            encoder.setPattern(PLAIN_PATTERN);
            encoder.start();
            appender.setEncoder(encoder);
        }
        appender.setOutputStream(out);
        appender.start();

        final CountingAppender counting = new CountingAppender();
        counting.setContext(context);
        counting.start();

        final ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(appender);
        root.addAppender(counting);

        // java.util.logging (the JDK's own classes, and anything else that uses it) into the same lines.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("").setLevel(julLevel(root.getLevel()));
    }

    private static java.util.logging.Level julLevel(final Level level)
    {
        switch (level.toInt())
        {
            case Level.ERROR_INT:
                return java.util.logging.Level.SEVERE;
            case Level.WARN_INT:
                return java.util.logging.Level.WARNING;
            case Level.INFO_INT:
                return java.util.logging.Level.INFO;
            case Level.DEBUG_INT:
                return java.util.logging.Level.FINE;
            default:
                return java.util.logging.Level.FINEST;
        }
    }

    /**
     * @return warnings logged since the process started.
     */
    public static long warnings()
    {
        return WARNINGS.get();
    }

    /**
     * @return errors logged since the process started.
     */
    public static long errors()
    {
        return ERRORS.get();
    }

    /**
     * Counts warnings and errors as they are logged.
     */
    static final class CountingAppender extends AppenderBase<ILoggingEvent>
    {
        @Override
        protected void append(final ILoggingEvent event)
        {
            final int level = event.getLevel().toInt();
            if (level >= Level.ERROR_INT)
            {
                ERRORS.incrementAndGet();
            }
            else if (level >= Level.WARN_INT)
            {
                WARNINGS.incrementAndGet();
            }
        }
    }

    /**
     * One JSON object per line: {@code time} (ISO-8601, UTC), {@code level}, {@code logger}, {@code thread},
     * {@code message}, and {@code error} (the stack trace) when there is one.
     */
    static final class JsonLineLayout extends LayoutBase<ILoggingEvent>
    {
        private final JsonFactory json = new JsonFactory();

        @Override
        public String doLayout(final ILoggingEvent event)
        {
            final StringWriter line = new StringWriter(256);
            try (JsonGenerator out = json.createGenerator(line))
            {
                out.writeStartObject();
                out.writeStringField("time", Instant.ofEpochMilli(event.getTimeStamp()).toString());
                out.writeStringField("level", event.getLevel().toString());
                out.writeStringField("logger", event.getLoggerName());
                out.writeStringField("thread", event.getThreadName());
                out.writeStringField("message", event.getFormattedMessage());
                final IThrowableProxy error = event.getThrowableProxy();
                if (null != error)
                {
                    out.writeStringField("error", ThrowableProxyUtil.asString(error));
                }
                out.writeEndObject();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            return line.append('\n').toString();
        }
    }
}
