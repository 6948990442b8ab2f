package io.meridian.config;

/**
 * A setting is missing, malformed or inconsistent. The message names the setting.
 */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public ConfigException(final String message)
    {
        super(message);
    }
}
