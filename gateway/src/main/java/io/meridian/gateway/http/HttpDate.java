package io.meridian.gateway.http;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP-date (RFC 9110 section 5.6.7): generates IMF-fixdate, and parses IMF-fixdate and the two obsolete forms
 * every recipient must still accept, RFC 850 dates and asctime.
 */
final class HttpDate
{
    /**
     * What {@link #parse} answers for a value that is not an HTTP-date.
     */
    static final long INVALID = Long.MIN_VALUE;

    private static final DateTimeFormatter IMF_FIXDATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final Pattern IMF = Pattern.compile(
        "[A-Za-z]{3}, (\\d{1,2}) ([A-Za-z]{3}) (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2}) GMT");
    private static final Pattern RFC_850 = Pattern.compile(
        "[A-Za-z]{6,9}, (\\d{2})-([A-Za-z]{3})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT");
    private static final Pattern ASCTIME = Pattern.compile(
        "[A-Za-z]{3} ([A-Za-z]{3}) +(\\d{1,2}) (\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})");
    private static final String MONTHS = "janfebmaraprmayjunjulaugsepoctnovdec";

    private HttpDate()
    {
    }

    /**
     * @param epochMs a time.
     * @return it as IMF-fixdate, to the second.
     */
    static String format(final long epochMs)
    {
        return IMF_FIXDATE.format(Instant.ofEpochMilli(epochMs));
    }

    /**
     * @param value a field value, or null.
     * @return the time in epoch milliseconds, or {@link #INVALID}.
     */
    static long parse(final String value)
    {
        return parse(value, System.currentTimeMillis());
    }

    /**
     * @param value a field value, or null.
     * @param nowMs the current time, to place the two-digit year of an RFC 850 date.
     * @return the time in epoch milliseconds, or {@link #INVALID}.
     */
    static long parse(final String value, final long nowMs)
    {
        if (null == value)
        {
            return INVALID;
        }
        final String text = value.trim();
        Matcher m = IMF.matcher(text);
        if (m.matches())
        {
            return toEpochMs(Integer.parseInt(m.group(3)), m.group(2), m.group(1), m.group(4), m.group(5), m.group(6));
        }
        m = RFC_850.matcher(text);
        if (m.matches())
        {
            // RFC 9110: a two-digit year that would be more than 50 years in the future is in the past century.
            final int nowYear = LocalDateTime.ofInstant(Instant.ofEpochMilli(nowMs), ZoneOffset.UTC).getYear();
            int year = nowYear / 100 * 100 + Integer.parseInt(m.group(3));
            if (year > nowYear + 50)
            {
                year -= 100;
            }
            return toEpochMs(year, m.group(2), m.group(1), m.group(4), m.group(5), m.group(6));
        }
        m = ASCTIME.matcher(text);
        if (m.matches())
        {
            return toEpochMs(Integer.parseInt(m.group(6)), m.group(1), m.group(2), m.group(3), m.group(4), m.group(5));
        }
        return INVALID;
    }

    private static long toEpochMs(
        final int year, final String month, final String day, final String hour, final String minute,
        final String second)
    {
        final int monthIndex = MONTHS.indexOf(month.toLowerCase(Locale.ROOT));
        if (monthIndex < 0 || monthIndex % 3 != 0)
        {
            return INVALID;
        }
        try
        {
            return LocalDateTime.of(year, monthIndex / 3 + 1, Integer.parseInt(day), Integer.parseInt(hour),
                Integer.parseInt(minute), Integer.parseInt(second)).toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        catch (final DateTimeException ex)
        {
            return INVALID;
        }
    }
}
