package io.meridian.gateway.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, ordered list of HTTP header fields whose names compare case-insensitively. The cache keeps stored
 * and forwarded headers in this form so that its rules can be tested without a server.
 */
final class HttpFields
{
    static final HttpFields EMPTY = new HttpFields(List.of());

    /**
     * One header field line.
     *
     * @param name  field name as received.
     * @param value field value, trimmed.
     */
    record Field(String name, String value)
    {
        Field
        {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private final List<Field> fields;

    private HttpFields(final List<Field> fields)
    {
        this.fields = fields;
    }

    /**
     * @param namesAndValues name, value, name, value...
     * @return the fields in that order.
     */
    static HttpFields of(final String... namesAndValues)
    {
        if (namesAndValues.length % 2 != 0)
        {
            throw new IllegalArgumentException("names and values must pair up");
        }
        final Builder builder = builder();
        for (int i = 0; i < namesAndValues.length; i += 2)
        {
            builder.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return builder.build();
    }

    static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return every field line in order.
     */
    List<Field> fields()
    {
        return fields;
    }

    int size()
    {
        return fields.size();
    }

    /**
     * @param name field name, any case.
     * @return true when at least one line of that field is present.
     */
    boolean has(final String name)
    {
        for (final Field field : fields)
        {
            if (field.name.equalsIgnoreCase(name))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param name field name, any case.
     * @return the value of the first line of that field, or null.
     */
    String first(final String name)
    {
        for (final Field field : fields)
        {
            if (field.name.equalsIgnoreCase(name))
            {
                return field.value;
            }
        }
        return null;
    }

    /**
     * @param name field name, any case.
     * @return the values of every line of that field, in order; empty when absent.
     */
    List<String> all(final String name)
    {
        List<String> values = List.of();
        for (final Field field : fields)
        {
            if (field.name.equalsIgnoreCase(name))
            {
                if (values.isEmpty())
                {
                    values = new ArrayList<>(2);
                }
                values.add(field.value);
            }
        }
        return values;
    }

    /**
     * The combined field value: every line joined with a comma, as a list-based field may be combined.
     *
     * @param name field name, any case.
     * @return the combined value, or null when absent.
     */
    String joined(final String name)
    {
        final List<String> values = all(name);
        return values.isEmpty() ? null : String.join(", ", values);
    }

    /**
     * @param names field names to drop, any case.
     * @return these fields without any line of those names.
     */
    HttpFields without(final Collection<String> names)
    {
        final Set<String> lower = lowerCase(names);
        final List<Field> kept = new ArrayList<>(fields.size());
        for (final Field field : fields)
        {
            if (!lower.contains(field.name.toLowerCase(Locale.ROOT)))
            {
                kept.add(field);
            }
        }
        return kept.size() == fields.size() ? this : new HttpFields(Collections.unmodifiableList(kept));
    }

    /**
     * @param name  field name.
     * @param value its new only value.
     * @return these fields with every line of that name replaced by one line at the end.
     */
    HttpFields with(final String name, final String value)
    {
        final List<Field> result = new ArrayList<>(without(List.of(name)).fields);
        result.add(new Field(name, value));
        return new HttpFields(Collections.unmodifiableList(result));
    }

    /**
     * @param name  field name.
     * @param value value of a line to append.
     * @return these fields with one more line at the end.
     */
    HttpFields plus(final String name, final String value)
    {
        final List<Field> result = new ArrayList<>(fields);
        result.add(new Field(name, value));
        return new HttpFields(Collections.unmodifiableList(result));
    }

    /**
     * @return an estimate of the memory the fields take: their characters plus a little per line.
     */
    long byteSize()
    {
        long size = 0;
        for (final Field field : fields)
        {
            size += field.name.length() + field.value.length() + 32;
        }
        return size;
    }

    static Set<String> lowerCase(final Collection<String> names)
    {
        final Set<String> lower = new TreeSet<>();
        for (final String name : names)
        {
            lower.add(name.toLowerCase(Locale.ROOT));
        }
        return lower;
    }

    @Override
    public String toString()
    {
        return fields.toString();
    }

    /**
     * Collects fields in order.
     */
    static final class Builder
    {
        private final List<Field> fields = new ArrayList<>();

        Builder add(final String name, final String value)
        {
            fields.add(new Field(name, null == value ? "" : value.trim()));
            return this;
        }

        Builder addAll(final HttpFields other)
        {
            fields.addAll(other.fields);
            return this;
        }

        HttpFields build()
        {
            return fields.isEmpty() ? EMPTY : new HttpFields(Collections.unmodifiableList(new ArrayList<>(fields)));
        }
    }
}
