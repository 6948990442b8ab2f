package io.meridian.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.OrderRequestEncoder;
import io.meridian.codecs.json.JsonWriter;
import io.meridian.engine.EngineProxy;
import io.meridian.gateway.auth.AuthException;
import io.meridian.gateway.auth.AuthenticatedUser;
import io.meridian.gateway.auth.Rights;
import io.meridian.gateway.auth.TokenVerifier;

import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Locale;

/**
 * Reads one Zenith JSON request and acts on it: auth requests are answered here, subscriptions and queries go to
 * the engine. Every request that cannot be served gets an {@code Error} naming a Zenith error code, and a
 * transaction is always closed with a result message after its error. Runs on the session's IO thread.
 */
final class ZenithRequestHandler
{
    private static final Logger LOG = LoggerFactory.getLogger(ZenithRequestHandler.class);

    static final String PROTOCOL_VERSION = "2.0";

    private final ObjectMapper mapper = new ObjectMapper();
    private final TokenVerifier verifier;
    private final String serverName;
    private final String serverVersion;
    private final boolean tradingAllowsPlain;

    ZenithRequestHandler(final TokenVerifier verifier, final String serverName, final String serverVersion)
    {
        this(verifier, serverName, serverVersion, true);
    }

    /**
     * @param tradingAllowsPlain grant trading and order-pad rights on connections without TLS.
     */
    ZenithRequestHandler(
        final TokenVerifier verifier,
        final String serverName,
        final String serverVersion,
        final boolean tradingAllowsPlain)
    {
        this.verifier = verifier;
        this.serverName = serverName;
        this.serverVersion = serverVersion;
        this.tradingAllowsPlain = tradingAllowsPlain;
    }

    /**
     * The parts of the Zenith message container a request may carry.
     */
    private static final class Request
    {
        String controller = "Zenith";
        String topic;
        String action = "Publish";
        Long transactionId;
        JsonNode data;
        boolean confirm;
    }

    void onText(final ZenithSession session, final String text)
    {
        // Every frame counts against the rate limit, malformed ones too.
        final boolean allowed = session.allowRequest(System.currentTimeMillis());
        final Request request;
        try
        {
            request = parse(text);
        }
        catch (final BadRequest ex)
        {
            error(session, ex.controller, ex.topic, ex.transactionId, allowed ? "Data.Deserialise" : "Limited");
            return;
        }

        if (!allowed)
        {
            refuse(session, request, "Limited");
            return;
        }

        switch (request.action)
        {
            case "Sub":
            case "Unsub":
            case "Publish":
                break;
            case "Error":
            case "Cancel":
                // Clients may send these; there is nothing pending that Meridian can cancel yet.
                return;
            default:
                error(session, request.controller, request.topic, request.transactionId, "Operation.Unknown");
                return;
        }

        if ("Auth".equals(request.controller))
        {
            onAuth(session, request);
            return;
        }
        if (null == request.topic)
        {
            error(session, request.controller, null, request.transactionId, "Data");
            return;
        }
        if (!session.isAuthenticated(System.currentTimeMillis()))
        {
            refuse(session, request, "Authority");
            return;
        }

        switch (request.controller)
        {
            case "Zenith":
                onZenith(session, request);
                break;
            case "Market":
                if (!session.user().hasScope(Rights.MARKET) && !"Unsub".equals(request.action))
                {
                    refuse(session, request, "Authority");
                    return;
                }
                onMarket(session, request);
                break;
            case "Trading":
                onTrading(session, request);
                break;
            default:
                refuse(session, request, "Controller " + request.controller);
                break;
        }
    }

    private Request parse(final String text) throws BadRequest
    {
        final JsonNode root;
        try
        {
            root = mapper.readTree(text);
        }
        catch (final JsonProcessingException ex)
        {
            throw new BadRequest(null, null, null);
        }
        if (null == root || !root.isObject())
        {
            throw new BadRequest(null, null, null);
        }

        final Request request = new Request();
        final JsonNode controller = root.get("Controller");
        final JsonNode topic = root.get("Topic");
        final JsonNode transactionId = root.get("TransactionID");
        if (null != controller && controller.isTextual())
        {
            request.controller = controller.asText();
        }
        if (null != topic && topic.isTextual())
        {
            request.topic = topic.asText();
        }
        if (null != transactionId && transactionId.canConvertToLong() && transactionId.isIntegralNumber())
        {
            request.transactionId = transactionId.asLong();
        }

        final boolean badController = null != controller && !controller.isTextual() && !controller.isNull();
        final boolean badTopic = null != topic && !topic.isTextual() && !topic.isNull();
        final boolean badTransaction = null != transactionId && !transactionId.isNull() &&
            !(transactionId.isIntegralNumber() && transactionId.canConvertToLong());
        final JsonNode action = root.get("Action");
        final boolean badAction = null != action && !action.isTextual() && !action.isNull();
        final JsonNode confirm = root.get("Confirm");
        final boolean badConfirm = null != confirm && !confirm.isBoolean() && !confirm.isNull();
        if (badController || badTopic || badTransaction || badAction || badConfirm)
        {
            throw new BadRequest(request.controller, request.topic, request.transactionId);
        }
        if (null != action && action.isTextual())
        {
            request.action = action.asText();
        }
        request.confirm = null != confirm && confirm.asBoolean();
        request.data = root.get("Data");
        return request;
    }

    // ------------------------------------------------------------------------------------------------- Auth

    private void onAuth(final ZenithSession session, final Request request)
    {
        final String topic = null == request.topic ? "" : request.topic;
        switch (topic)
        {
            case "AuthToken":
                onAuthToken(session, request);
                break;
            case "QueryIdentify":
                if (session.isAuthenticated(System.currentTimeMillis()))
                {
                    identify(session, request, session.user(), false);
                }
                else
                {
                    error(session, "Auth", topic, request.transactionId, "Authority");
                    rejected(session, request);
                }
                break;
            default:
                refuse(session, request, "Operation.Unknown");
                break;
        }
    }

    private void onAuthToken(final ZenithSession session, final Request request)
    {
        final JsonNode data = request.data;
        final JsonNode token = null == data ? null : data.get("AccessToken");
        final JsonNode provider = null == data ? null : data.get("Provider");
        if (null == token || !token.isTextual() ||
            (null != provider && !provider.isNull() && !"Bearer".equalsIgnoreCase(provider.asText())))
        {
            rejected(session, request);
            return;
        }
        final AuthenticatedUser user;
        try
        {
            user = verifier.verify(token.asText());
        }
        catch (final AuthException ex)
        {
            LOG.info("session " + session.sessionId() + ": token rejected: " + ex.reason());
            rejected(session, request);
            return;
        }
        final AuthenticatedUser previous = session.user();
        if (null != previous && !previous.userId().equals(user.userId()))
        {
            LOG.warn("session " + session.sessionId() + ": renewal for another user refused");
            rejected(session, request);
            return;
        }
        if (!session.admit(user))
        {
            return;
        }
        // The reply goes into the outbox first, so the client hears of the renewal before what it brings: full state
        // where data had stopped, Error and Unsub where a right is gone.
        identify(session, request, user, true);
        session.authenticated(user, rights(session, user));
    }

    private void identify(
        final ZenithSession session, final Request request, final AuthenticatedUser user, final boolean withToken)
    {
        final long remainingMs = Math.max(0, user.expiresAtMs() - System.currentTimeMillis());
        final JsonWriter out = session.writer().reset().startObject()
            .name("Controller").string("Auth")
            .name("Topic").string(request.topic);
        transaction(out, request.transactionId);
        out.name("Data").startObject()
            .name("Result").string("Success");
        if (withToken)
        {
            out.name("AccessToken").string(user.token());
        }
        out.name("UserID").string(user.userId())
            .name("DisplayName").string(user.displayName())
            .name("ExpiresIn").string(duration(remainingMs))
            .name("ExpiryDate").string(Instant.ofEpochMilli(user.expiresAtMs()).toString())
            .name("Scope").startArray();
        for (final String scope : user.scopes())
        {
            out.string(scope);
        }
        out.endArray().endObject().endObject();
        session.reply();
    }

    private void rejected(final ZenithSession session, final Request request)
    {
        final JsonWriter out = session.writer().reset().startObject()
            .name("Controller").string("Auth")
            .name("Topic").string(null == request.topic ? "AuthToken" : request.topic);
        transaction(out, request.transactionId);
        out.name("Data").startObject().name("Result").string("Rejected").endObject().endObject();
        session.reply();
    }

    /**
     * @param ms a duration.
     * @return Zenith's {@code hh:mm:ss.fff} form (days folded into hours, as the Motif client parses it).
     */
    static String duration(final long ms)
    {
        final long hours = ms / 3_600_000;
        final long minutes = (ms / 60_000) % 60;
        final long seconds = (ms / 1000) % 60;
        return String.format(Locale.ROOT, "%02d:%02d:%02d.%03d", hours, minutes, seconds, ms % 1000);
    }

    // ----------------------------------------------------------------------------------------------- Zenith

    private void onZenith(final ZenithSession session, final Request request)
    {
        if ("Feeds".equals(request.topic))
        {
            onFeeds(session, request);
            return;
        }
        if (!"ServerInfo".equals(request.topic))
        {
            refuse(session, request, "Operation.Unknown");
            return;
        }
        switch (request.action)
        {
            case "Sub":
                JsonWriter out = session.writer().reset().startObject()
                    .name("Controller").string("Zenith")
                    .name("Topic").string(request.topic)
                    .name("Data");
                serverInfo(out);
                out.endObject();
                session.reply();
                if (request.confirm)
                {
                    subEcho(session, request, true);
                }
                break;
            case "Unsub":
                if (request.confirm)
                {
                    unsubEcho(session, request);
                }
                break;
            default:
                if (null == request.transactionId)
                {
                    error(session, request.controller, request.topic, null, "Operation.NoResult");
                    return;
                }
                out = session.writer().reset().startObject()
                    .name("Controller").string("Zenith")
                    .name("Topic").string(request.topic);
                transaction(out, request.transactionId);
                out.name("Data");
                serverInfo(out);
                out.endObject();
                session.reply();
                break;
        }
    }

    private void onFeeds(final ZenithSession session, final Request request)
    {
        switch (request.action)
        {
            case "Sub":
                if (!session.engine().subscribeFeeds(session, request.topic, request.confirm))
                {
                    refuse(session, request, "Limited");
                }
                break;
            case "Unsub":
                unsubscribe(session, request);
                break;
            default:
                refuse(session, request, "Operation.Unknown");
                break;
        }
    }

    private void serverInfo(final JsonWriter out)
    {
        out.startObject()
            .name("Name").string(serverName)
            .name("Class").string("FeedProxy")
            .name("Version").string(serverVersion)
            .name("Protocol").string(PROTOCOL_VERSION)
            .endObject();
    }

    // ----------------------------------------------------------------------------------------------- Market

    private void onMarket(final ZenithSession session, final Request request)
    {
        final String topic = request.topic;
        switch (request.action)
        {
            case "Sub":
                onMarketSub(session, request, topic);
                break;
            case "Unsub":
                unsubscribe(session, request);
                break;
            default:
                onMarketQuery(session, request, topic);
                break;
        }
    }

    private void onMarketSub(final ZenithSession session, final Request request, final String topic)
    {
        final ItemType type;
        final String key;
        if ("Markets".equals(topic))
        {
            type = ItemType.MARKETS;
            key = null;
        }
        else
        {
            type = Topics.symbolTopicType(topic);
            if (null == type)
            {
                refuse(session, request, "Operation.Unknown");
                return;
            }
            key = Topics.symbolOf(topic);
            if (!Topics.validSymbol(key))
            {
                refuse(session, request, "Symbol " + key);
                return;
            }
        }
        if (!session.engine().subscribe(session, request.controller, topic, type, key, request.confirm))
        {
            refuse(session, request, "Limited");
        }
    }

    private void onMarketQuery(final ZenithSession session, final Request request, final String topic)
    {
        if (!answerable(session, request, MarketQueries.QUERIES))
        {
            return;
        }
        final EngineProxy engine = session.engine();
        final long transactionId = request.transactionId;
        final boolean accepted;
        try
        {
            switch (topic)
            {
                case "QueryMarkets":
                    accepted = engine.queryMarkets(session, transactionId);
                    break;
                case "QuerySecurity":
                    accepted = engine.queryItem(session, transactionId, topic, ItemType.SECURITY,
                        MarketQueries.symbolKey(request.data));
                    break;
                case "QueryDepthFull":
                    accepted = engine.queryItem(session, transactionId, topic, ItemType.DEPTH,
                        MarketQueries.symbolKey(request.data));
                    break;
                case "QueryDepthLevels":
                    accepted = engine.queryItem(session, transactionId, topic, ItemType.LEVELS,
                        MarketQueries.symbolKey(request.data));
                    break;
                case "QueryTrades":
                    final MarketQueries.TradesRequest trades = MarketQueries.trades(request.data);
                    accepted = engine.queryTrades(session, transactionId, trades.key(), trades.count(),
                        trades.firstTradeId(), trades.lastTradeId(), trades.tradingDate());
                    break;
                case "QueryTradingStates":
                    accepted = engine.queryTradingStates(session, transactionId, MarketQueries.market(request.data));
                    break;
                case "SearchSymbols":
                    accepted = engine.querySymbols(session, transactionId, MarketQueries.searchSymbols(request.data));
                    break;
                default:
                    accepted = engine.querySymbols(session, transactionId, MarketQueries.querySymbols(request.data));
                    break;
            }
        }
        catch (final MarketQueries.Invalid ex)
        {
            refuse(session, request, ex.getMessage());
            return;
        }
        if (!accepted)
        {
            refuse(session, request, "Limited");
        }
    }

    // ----------------------------------------------------------------------------------------------- Trading


    /**
     * @return the engine's rights bits a token grants on a session: Market with the market scope, Trading with the
     * trading scope over TLS (or where plain connections may trade).
     */
    private int rights(final ZenithSession session, final AuthenticatedUser user)
    {
        int rights = 0;
        if (user.hasScope(Rights.MARKET))
        {
            rights |= EngineProxy.RIGHT_MARKET;
        }
        if (tradingAllowed(session, user))
        {
            rights |= EngineProxy.RIGHT_TRADING;
        }
        return rights;
    }

    private boolean tradingAllowed(final ZenithSession session, final AuthenticatedUser user)
    {
        return user.hasScope(Rights.TRADING) && (session.secure() || tradingAllowsPlain);
    }

    private void onTrading(final ZenithSession session, final Request request)
    {
        final String topic = request.topic;
        final boolean orderRequest = TradingRequests.ORDER_TOPICS.contains(topic);
        if (!"Publish".equals(request.action) || !orderRequest)
        {
            if (!tradingAllowed(session, session.user()))
            {
                refuse(session, request, "Authority");
                return;
            }
        }
        switch (request.action)
        {
            case "Sub":
                onTradingSub(session, request, topic);
                break;
            case "Unsub":
                unsubscribe(session, request);
                break;
            default:
                if (orderRequest)
                {
                    onOrderRequest(session, request, topic);
                }
                else
                {
                    onTradingQuery(session, request, topic);
                }
                break;
        }
    }

    /**
     * @return the item type of an account topic ({@code Orders!ACC} and the like), or null.
     */
    private static ItemType accountTopicType(final String topic)
    {
        if (topic.startsWith("Orders!"))
        {
            return ItemType.ORDERS;
        }
        if (topic.startsWith("Holdings!"))
        {
            return ItemType.HOLDINGS;
        }
        if (topic.startsWith("Balances!"))
        {
            return ItemType.BALANCES;
        }
        return null;
    }

    private void onTradingSub(final ZenithSession session, final Request request, final String topic)
    {
        final String user = session.user().userId();
        final ItemType type;
        final String key;
        if ("Accounts".equals(topic) || "TradingAccounts".equals(topic))
        {
            type = ItemType.ACCOUNTS;
            key = user;
        }
        else if ("Orders".equals(topic) || "Holdings".equals(topic) || "Balances".equals(topic))
        {
            // Every account of the user, under the bare topic.
            type = accountTopicType(topic + '!');
            key = null;
        }
        else
        {
            type = accountTopicType(topic);
            if (null == type)
            {
                refuse(session, request, "Operation.Unknown");
                return;
            }
            key = topic.substring(topic.indexOf('!') + 1);
            if (!TradingRequests.validId(key))
            {
                refuse(session, request, "Account " + key);
                return;
            }
        }
        if (!session.engine().subscribeTrading(session, topic, type, key, user, request.confirm))
        {
            refuse(session, request, "Limited");
        }
    }

    private void onTradingQuery(final ZenithSession session, final Request request, final String topic)
    {
        if (!answerable(session, request, TradingRequests.QUERIES))
        {
            return;
        }
        final EngineProxy engine = session.engine();
        final long transactionId = request.transactionId;
        final String user = session.user().userId();
        final boolean accepted;
        try
        {
            switch (topic)
            {
                case "QueryOrderStatuses":
                    final JsonWriter out = session.writer().reset().startObject()
                        .name("Controller").string(request.controller)
                        .name("Topic").string(topic)
                        .name("TransactionID").number(transactionId)
                        .name("Data");
                    TradingRequests.writeOrderStatuses(out);
                    out.endObject();
                    session.reply();
                    return;
                case "QueryTradingMarkets":
                    accepted = engine.queryTradingMarkets(session, transactionId);
                    break;
                case "QueryAccounts":
                    accepted = engine.queryTrading(session, transactionId, topic, ItemType.ACCOUNTS, user, user);
                    break;
                case "QueryOrders":
                    accepted = engine.queryTrading(session, transactionId, topic, ItemType.ORDERS,
                        TradingRequests.account(request.data), user, TradingRequests.orderFilter(request.data));
                    break;
                case "QueryHoldings":
                    accepted = engine.queryTrading(session, transactionId, topic, ItemType.HOLDINGS,
                        TradingRequests.account(request.data), user, TradingRequests.holdingFilter(request.data));
                    break;
                default:
                    accepted = engine.queryTrading(session, transactionId, topic, ItemType.BALANCES,
                        TradingRequests.account(request.data), user);
                    break;
            }
        }
        catch (final TradingRequests.Refused ex)
        {
            refuse(session, request, ex.code);
            return;
        }
        if (!accepted)
        {
            refuse(session, request, "Limited");
        }
    }

    private void onOrderRequest(final ZenithSession session, final Request request, final String topic)
    {
        if (null == request.transactionId)
        {
            error(session, request.controller, topic, null, "Operation.NoResult");
            return;
        }
        final long transactionId = request.transactionId;
        final String requestIdSent = null != request.data && request.data.has("RequestID") &&
            request.data.get("RequestID").isTextual() ? request.data.get("RequestID").asText() : null;
        final AuthenticatedUser user = session.user();
        if (!user.hasScope(Rights.ORDER_PAD) || !user.hasScope(Rights.TRADING))
        {
            orderResult(session, request, "Authority", "Rejected", requestIdSent, "Authority");
            return;
        }
        if (!(session.secure() || tradingAllowsPlain))
        {
            orderResult(session, request, "Authority", "Rejected", requestIdSent, "Connection");
            return;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[io.meridian.codecs.InterlinkProtocol.MAX_MESSAGE_LENGTH]);
        final String[] ids = new String[2];
        final int length;
        try
        {
            length = TradingRequests.encode(topic, request.data, user.userId(), buffer, new OrderRequestEncoder(), ids);
        }
        catch (final TradingRequests.Refused ex)
        {
            orderResult(session, request, null, ex.result, requestIdSent, ex.code);
            return;
        }
        catch (final IndexOutOfBoundsException ex)
        {
            // Strings too long for one interlink message.
            orderResult(session, request, null, "Invalid", requestIdSent, "Details");
            return;
        }
        String requestId = ids[1];
        int encodedLength = length;
        if (null == requestId)
        {
            requestId = TradingRequests.newRequestId();
            try
            {
                encodedLength = TradingRequests.encode(topic, withRequestId(request.data, requestId), user.userId(),
                    buffer, new OrderRequestEncoder(), ids);
            }
            catch (final TradingRequests.Refused ex)
            {
                orderResult(session, request, null, ex.result, requestId, ex.code);
                return;
            }
        }
        if (!session.engine().orderRequest(session, transactionId, topic, user.userId(), ids[0], buffer,
            encodedLength))
        {
            orderResult(session, request, "Limited", "Error", requestId, "Retry");
        }
    }

    private JsonNode withRequestId(final JsonNode data, final String requestId)
    {
        final com.fasterxml.jackson.databind.node.ObjectNode copy =
            ((com.fasterxml.jackson.databind.node.ObjectNode)data).deepCopy();
        copy.put("RequestID", requestId);
        return copy;
    }

    /**
     * An order request's result made here, after an Error when {@code errorCode} is given.
     */
    private void orderResult(
        final ZenithSession session,
        final Request request,
        final String errorCode,
        final String result,
        final String requestId,
        final String orderError)
    {
        if (null != errorCode)
        {
            error(session, request.controller, request.topic, request.transactionId, errorCode);
        }
        final JsonWriter out = session.writer().reset().startObject()
            .name("Controller").string(request.controller)
            .name("Topic").string(request.topic)
            .name("TransactionID").number(request.transactionId)
            .name("Data").startObject()
            .name("Result").string(result)
            .name("RequestID").string(null == requestId ? "" : requestId)
            .name("Errors").startArray().string(orderError).endArray()
            .endObject()
            .endObject();
        session.reply();
    }

    /**
     * @return true if the request is one of the topic's queries and can be answered (it has a TransactionID);
     * otherwise it has been refused.
     */
    private boolean answerable(final ZenithSession session, final Request request, final java.util.Set<String> queries)
    {
        if (!queries.contains(request.topic))
        {
            refuse(session, request, "Operation.Unknown");
            return false;
        }
        if (null == request.transactionId)
        {
            error(session, request.controller, request.topic, null, "Operation.NoResult");
            return false;
        }
        return true;
    }

    private void unsubscribe(final ZenithSession session, final Request request)
    {
        if (!session.engine().unsubscribe(session, request.controller, request.topic, request.confirm))
        {
            refuse(session, request, "Limited");
        }
    }

    // ----------------------------------------------------------------------------------------------- replies

    /**
     * Answer a request that cannot be served: an Error, then what closes it for the client — a Sub echo without
     * Confirm for a subscription that asked for one, a null result for a transaction.
     */
    private void refuse(final ZenithSession session, final Request request, final String code)
    {
        error(session, request.controller, request.topic, request.transactionId, code);
        if ("Sub".equals(request.action))
        {
            if (request.confirm)
            {
                subEcho(session, request, false);
            }
        }
        else if ("Publish".equals(request.action) && null != request.transactionId)
        {
            final JsonWriter out = session.writer().reset().startObject()
                .name("Controller").string(request.controller);
            if (null != request.topic)
            {
                out.name("Topic").string(request.topic);
            }
            out.name("TransactionID").number(request.transactionId).name("Data");
            if (MarketQueries.arrayResult(request.controller, request.topic))
            {
                out.startArray().endArray();
            }
            else
            {
                out.nullValue();
            }
            out.endObject();
            session.reply();
        }
    }

    private void error(
        final ZenithSession session,
        final String controller,
        final String topic,
        final Long transactionId,
        final String code)
    {
        final JsonWriter out = session.writer().reset().startObject()
            .name("Controller").string(null == controller ? "Zenith" : controller);
        if (null != topic)
        {
            out.name("Topic").string(topic);
        }
        out.name("Action").string("Error");
        transaction(out, transactionId);
        out.name("Data").string(code).endObject();
        session.reply();
    }

    private void subEcho(final ZenithSession session, final Request request, final boolean confirmed)
    {
        final JsonWriter out = session.writer().reset().startObject()
            .name("Controller").string(request.controller)
            .name("Topic").string(request.topic)
            .name("Action").string("Sub");
        if (confirmed)
        {
            out.name("Confirm").bool(true);
        }
        out.endObject();
        session.reply();
    }

    private void unsubEcho(final ZenithSession session, final Request request)
    {
        session.writer().reset().startObject()
            .name("Controller").string(request.controller)
            .name("Topic").string(request.topic)
            .name("Action").string("Unsub")
            .endObject();
        session.reply();
    }

    private static void transaction(final JsonWriter out, final Long transactionId)
    {
        if (null != transactionId)
        {
            out.name("TransactionID").number(transactionId);
        }
    }

    /**
     * A request that is not a well-formed Zenith message container; carries what could be read of it.
     */
    private static final class BadRequest extends Exception
    {
        private static final long serialVersionUID = 1L;

        final String controller;
        final String topic;
        final Long transactionId;

        BadRequest(final String controller, final String topic, final Long transactionId)
        {
            super(null, null, false, false);
            this.controller = controller;
            this.topic = topic;
            this.transactionId = transactionId;
        }
    }
}
