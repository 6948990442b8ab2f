package io.meridian.engine;

import io.meridian.config.MeridianConfig;

/**
 * The engine's settings, taken from {@link MeridianConfig} once at start.
 */
final class EngineSettings
{
    final String controlChannel;
    final int controlStreamId;
    final String responseChannel;
    final int responseStreamId;
    final String clientName;
    final String serviceToken;
    final long heartbeatIntervalMs;
    final long livenessTimeoutMs;
    final int slotBytes;
    final int ringSize;
    final String idleStrategy;
    final int maxIdleItems;
    final long idleTimeoutMs;
    final long slowConsumerTimeoutMs;
    final int tradeHistory;

    EngineSettings(final MeridianConfig config)
    {
        controlChannel = config.upstreamChannel();
        controlStreamId = config.upstreamControlStreamId();
        responseChannel = config.upstreamResponseChannel();
        responseStreamId = config.upstreamResponseStreamId();
        clientName = config.serverName();
        serviceToken = config.upstreamServiceToken();
        heartbeatIntervalMs = config.upstreamHeartbeatMs();
        livenessTimeoutMs = config.upstreamLivenessMs();
        slotBytes = config.engineSlotBytes();
        ringSize = config.engineRingSize();
        idleStrategy = config.engineIdleStrategy();
        maxIdleItems = config.cacheMaxIdleItems();
        idleTimeoutMs = config.cacheIdleTimeoutSeconds() * 1000L;
        slowConsumerTimeoutMs = config.sessionSlowConsumerTimeoutMs();
        tradeHistory = config.cacheTradeHistory();
    }
}
