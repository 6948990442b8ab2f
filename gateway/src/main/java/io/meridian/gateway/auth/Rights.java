package io.meridian.gateway.auth;

import java.util.List;

/**
 * The canonical rights the gateway checks, whatever the identity provider calls them. A verified token's scopes,
 * roles or permissions are mapped onto these by {@link ClaimMapping}, so {@link AuthenticatedUser#scopes()} holds
 * only these names and the gateway's checks never depend on how a provider spells them.
 */
public final class Rights
{
    /**
     * Market data: the Market controller.
     */
    public static final String MARKET = "zenith/market";

    /**
     * Trading data: the Trading controller's accounts, orders, holdings and balances.
     */
    public static final String TRADING = "zenith/trading";

    /**
     * Order requests: place, amend, move and cancel orders; needs {@link #TRADING} as well.
     */
    public static final String ORDER_PAD = "zenith/orderpad";

    /**
     * Administration of the proxy itself.
     */
    public static final String ADMIN = "zenith/admin";

    /**
     * Every right, in the order they are reported to clients.
     */
    public static final List<String> ALL = List.of(MARKET, TRADING, ORDER_PAD, ADMIN);

    private Rights()
    {
    }
}
