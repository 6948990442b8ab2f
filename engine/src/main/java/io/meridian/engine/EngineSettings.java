package io.meridian.engine;

import io.meridian.config.MeridianConfig;

/**
 * The engine's settings, taken from {@link MeridianConfig} once at start.
 */
final class EngineSettings
{
    /**
     * Where one upstream link runs: its control and data channels and streams, and the token sent in Hello.
     */
    static final class Link
    {
        final String controlChannel;
        final int controlStreamId;
        final String responseChannel;
        final int responseStreamId;
        final String serviceToken;
        /** Where this proxy reads its upstream proxy's shared stream; empty for none. */
        final String sharedChannel;
        final int sharedStreamId;

        Link(
            final String controlChannel,
            final int controlStreamId,
            final String responseChannel,
            final int responseStreamId,
            final String serviceToken,
            final String sharedChannel,
            final int sharedStreamId)
        {
            this.sharedChannel = sharedChannel;
            this.sharedStreamId = sharedStreamId;
            this.controlChannel = controlChannel;
            this.controlStreamId = controlStreamId;
            this.responseChannel = responseChannel;
            this.responseStreamId = responseStreamId;
            this.serviceToken = serviceToken;
        }
    }

    final Link market;
    final Link trading;
    final boolean tradingEnabled;
    final long actionTimeoutMs;
    final int maxSubscriptionsPerSession;
    final String clientName;
    final long heartbeatIntervalMs;
    final long livenessTimeoutMs;
    final int slotBytes;
    final int ringSize;
    final String idleStrategy;
    final long idleMaxParkNs;
    final long busyMaxParkNs;
    final int maxIdleItems;
    final long idleTimeoutMs;
    final long slowConsumerTimeoutMs;
    final int tradeHistory;
    final boolean downstreamEnabled;
    final String downstreamChannel;
    final int downstreamStreamId;
    final String downstreamServiceToken;
    final int downstreamMaxLinks;
    final String downstreamSharedChannel;
    final int downstreamSharedStreamId;

    EngineSettings(final MeridianConfig config)
    {
        market = new Link(config.upstreamChannel(), config.upstreamControlStreamId(),
            config.upstreamResponseChannel(), config.upstreamResponseStreamId(), config.upstreamServiceToken(),
            config.upstreamSharedChannel(), config.upstreamSharedStreamId());
        // The trading link never reads a shared stream: account data stays on the link that asked for it.
        trading = new Link(config.tradingChannel(), config.tradingControlStreamId(),
            config.tradingResponseChannel(), config.tradingResponseStreamId(), config.tradingServiceToken(), "", 0);
        tradingEnabled = config.tradingEnabled();
        actionTimeoutMs = config.tradingActionTimeoutMs();
        maxSubscriptionsPerSession = config.sessionMaxSubscriptions();
        clientName = config.serverName();
        heartbeatIntervalMs = config.upstreamHeartbeatMs();
        livenessTimeoutMs = config.upstreamLivenessMs();
        slotBytes = config.engineSlotBytes();
        ringSize = config.engineRingSize();
        idleStrategy = config.engineIdleStrategy();
        idleMaxParkNs = config.engineIdleMaxParkNs();
        busyMaxParkNs = config.engineBusyMaxParkNs();
        maxIdleItems = config.cacheMaxIdleItems();
        idleTimeoutMs = config.cacheIdleTimeoutSeconds() * 1000L;
        slowConsumerTimeoutMs = config.sessionSlowConsumerTimeoutMs();
        tradeHistory = config.cacheTradeHistory();
        downstreamEnabled = config.downstreamEnabled();
        downstreamChannel = config.downstreamChannel();
        downstreamStreamId = config.downstreamControlStreamId();
        downstreamServiceToken = config.downstreamServiceToken();
        downstreamMaxLinks = config.downstreamMaxLinks();
        downstreamSharedChannel = config.downstreamSharedChannel();
        downstreamSharedStreamId = config.downstreamSharedStreamId();
    }
}
