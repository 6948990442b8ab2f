package io.meridian.sim;

import io.aeron.Aeron;
import io.meridian.config.ConfigException;
import io.meridian.config.Setting;

/**
 * Checks of the settings every interlink server has, for the servers' contexts: the Aeron client, the control channel
 * and stream, the service token, the heartbeat and liveness timers and the name announced in Welcome. Each throws a
 * {@link ConfigException} naming the setting, so a bad setting reads the same whichever server it is for.
 */
final class LinkSettings
{
    private LinkSettings()
    {
    }

    /**
     * @param channelSetting  the setting the control channel comes from, for the message.
     * @param streamIdSetting the setting the control stream id comes from, for the message.
     */
    static void checkControl(
        final Aeron aeron,
        final Setting channelSetting,
        final String controlChannel,
        final Setting streamIdSetting,
        final int controlStreamId)
    {
        if (null == aeron)
        {
            throw new ConfigException("aeron: an Aeron client is required");
        }
        if (null == controlChannel || !controlChannel.startsWith("aeron:"))
        {
            throw bad(channelSetting, "must be an Aeron channel URI", controlChannel);
        }
        check(streamIdSetting, controlStreamId, 1, Integer.MAX_VALUE);
    }

    static void checkLinks(
        final String serviceToken, final int heartbeatIntervalMs, final int livenessTimeoutMs, final String serverName)
    {
        if (null == serviceToken)
        {
            throw bad(Setting.SIM_SERVICE_TOKEN, "must not be null", null);
        }
        check(Setting.UPSTREAM_HEARTBEAT_MS, heartbeatIntervalMs, 1, 60_000);
        check(Setting.UPSTREAM_LIVENESS_MS, livenessTimeoutMs, heartbeatIntervalMs + 1, 600_000);
        if (null == serverName || serverName.isEmpty() || serverName.length() > 256)
        {
            throw new ConfigException("serverName: must be 1 to 256 characters, got '" + serverName + "'");
        }
    }

    static void check(final Setting setting, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw bad(setting, "must be between " + min + " and " + max, Integer.toString(value));
        }
    }

    private static ConfigException bad(final Setting setting, final String why, final String value)
    {
        return new ConfigException(setting.key() + ": " + why + ", got '" + value + "'");
    }
}
