package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.OrderRequestEncoder;
import io.meridian.codecs.interlink.OrderRequestKind;
import io.meridian.codecs.interlink.OrderStatus;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.Validity;
import io.meridian.codecs.json.JsonWriter;
import org.agrona.concurrent.UnsafeBuffer;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.util.Set;

/**
 * Reading of the Zenith Trading controller's requests: topic names, account ids, and the Data of PlaceOrder,
 * AmendOrder, CancelOrder and MoveOrder turned into an interlink {@code OrderRequest} for the engine to forward.
 * A request that cannot be read gets the reference's result ({@code Incomplete} for a missing field,
 * {@code Invalid} for a bad one) with the order error code naming the field.
 */
final class TradingRequests
{
    /** Order request topics. */
    static final Set<String> ORDER_TOPICS = Set.of("PlaceOrder", "AmendOrder", "CancelOrder", "MoveOrder");
    /** Query topics that answer with an array. */
    static final Set<String> QUERIES = Set.of(
        "QueryAccounts", "QueryOrders", "QueryHoldings", "QueryBalances", "QueryOrderStatuses", "QueryTradingMarkets");
    /** Longest account id, order id or request id accepted. */
    static final int MAX_ID_LENGTH = 64;
    private static final int REQUEST_ID_LENGTH = 22;
    private static final char[] ALPHANUMERIC =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private static final SecureRandom RANDOM = new SecureRandom();

    private TradingRequests()
    {
    }

    /**
     * A request that cannot be sent on: the result class and the order error code.
     */
    static final class Refused extends Exception
    {
        private static final long serialVersionUID = 1L;

        final String result;
        final String code;

        Refused(final String result, final String code)
        {
            super(code, null, false, false);
            this.result = result;
            this.code = code;
        }
    }

    /**
     * @param id an account, order or request id from a client.
     * @return true if it is one Meridian passes on: 1 to 64 printable ASCII characters without spaces.
     */
    static boolean validId(final String id)
    {
        if (null == id || id.isEmpty() || id.length() > MAX_ID_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < id.length(); i++)
        {
            final char c = id.charAt(i);
            if (c <= ' ' || c > '~')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the account a query's Data names.
     * @throws Refused if it is missing or not an id.
     */
    static String account(final JsonNode data) throws Refused
    {
        final JsonNode account = null == data ? null : data.get("Account");
        if (null == account || account.isNull())
        {
            throw new Refused("Incomplete", "Account");
        }
        if (!account.isTextual() || !validId(account.asText()))
        {
            throw new Refused("Invalid", "Account");
        }
        return account.asText();
    }

    /**
     * @return {@code [orderId]} when a {@code QueryOrders} names an order, else null.
     * @throws Refused if the order id is not an id.
     */
    static String[] orderFilter(final JsonNode data) throws Refused
    {
        final String orderId = optionalId(data, "OrderID", "Order");
        return null == orderId ? null : new String[]{ orderId };
    }

    /**
     * @return {@code [exchange, code]} when a {@code QueryHoldings} names them (the reference requires Exchange
     * with Code), else null.
     * @throws Refused if either is not text, or Code comes without Exchange.
     */
    static String[] holdingFilter(final JsonNode data) throws Refused
    {
        final String exchange = optionalId(data, "Exchange", "Exchange");
        final String code = optionalId(data, "Code", "Code");
        if (null != code && null == exchange)
        {
            throw new Refused("Incomplete", "Exchange");
        }
        return null == exchange ? null : new String[]{ exchange, code };
    }

    /**
     * @return a request id as the reference makes one when the client sends none: 22 random letters and digits.
     */
    static String newRequestId()
    {
        final char[] id = new char[REQUEST_ID_LENGTH];
        for (int i = 0; i < id.length; i++)
        {
            id[i] = ALPHANUMERIC[RANDOM.nextInt(ALPHANUMERIC.length)];
        }
        return new String(id);
    }

    /**
     * Encode an order request, header included, with link and request ids left at 0 for the engine.
     *
     * @param topic   PlaceOrder, AmendOrder, CancelOrder or MoveOrder.
     * @param data    the request's Data.
     * @param user    the user the session authenticated as.
     * @param buffer  where to encode.
     * @param encoder a reusable encoder.
     * @return the encoded length, and the account and request id through {@code into}.
     * @throws Refused if a field is missing or invalid.
     */
    static int encode(
        final String topic,
        final JsonNode data,
        final String user,
        final UnsafeBuffer buffer,
        final OrderRequestEncoder encoder,
        final String[] into) throws Refused
    {
        if (null == data || !data.isObject())
        {
            throw new Refused("Incomplete", "Details");
        }
        final String account = account(data);
        final String requestId = optionalId(data, "RequestID", "Order");
        final OrderRequestKind kind = kind(topic);
        final String orderId = kind == OrderRequestKind.PLACE ? "" : requiredId(data, "OrderID", "Order");
        final String destination = kind == OrderRequestKind.MOVE ? requiredId(data, "Destination", "Account") : "";

        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .linkId(0).requestId(0).kind(kind).side(Side.NONE).orderType(OrderType.Limit)
            .validity(Validity.UntilCancel).hasLimitPrice(BooleanType.FALSE).quantity(0);
        encoder.limitPrice().mantissa(0).exponent((byte)0);
        String exchange = "";
        String code = "";
        String tradingMarket = "";
        if (kind == OrderRequestKind.PLACE || kind == OrderRequestKind.AMEND)
        {
            final JsonNode details = data.get("Details");
            if (null == details || !details.isObject())
            {
                throw new Refused("Incomplete", "Details");
            }
            exchange = requiredText(details, "Exchange", "Exchange");
            code = requiredText(details, "Code", "Symbol");
            style(details);
            encoder.side(side(details));
            final OrderType orderType = orderType(details);
            encoder.orderType(orderType);
            encoder.validity(validity(details));
            encoder.quantity(quantity(details));
            final JsonNode limit = details.get("LimitPrice");
            if (null != limit && !limit.isNull())
            {
                // A number too large for a double reads as infinity, which has no decimal value.
                if (!limit.isNumber() || (limit.isDouble() && !Double.isFinite(limit.doubleValue())))
                {
                    throw new Refused("Invalid", "LimitPrice");
                }
                final BigDecimal price = limit.decimalValue().stripTrailingZeros();
                final int scale = Math.max(0, price.scale());
                // The mantissa's digits: a large price has a negative scale, so it has more than its precision.
                if (scale > 18 || (long)price.precision() - price.scale() + scale > 18)
                {
                    throw new Refused("Invalid", "LimitPrice");
                }
                encoder.hasLimitPrice(BooleanType.TRUE);
                encoder.limitPrice().mantissa(price.setScale(scale).unscaledValue().longValueExact())
                    .exponent((byte)-scale);
            }
            else if (orderType == OrderType.Limit)
            {
                throw new Refused("Incomplete", "LimitPrice.Missing");
            }
            tradingMarket = route(data.get("Route"), exchange);
        }
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder
            .clientRequestId(null == requestId ? "" : requestId)
            .user(user)
            .accountId(account)
            .orderId(orderId)
            .destination(destination)
            .exchange(exchange)
            .code(code)
            .tradingMarket(tradingMarket)
            .encodedLength();
        into[0] = account;
        into[1] = requestId;
        return length;
    }

    /**
     * The reference's order statuses as Meridian's Trading Agents use them, for {@code QueryOrderStatuses}: what
     * each allows and why.
     */
    static void writeOrderStatuses(final JsonWriter out)
    {
        out.startArray();
        for (final OrderStatus status : OrderStatus.values())
        {
            if (status == OrderStatus.NULL_VAL)
            {
                continue;
            }
            final boolean working = status == OrderStatus.Working || status == OrderStatus.PartiallyFilled;
            out.startObject()
                .name("Code").string(status.name())
                .name("Reason").string(working ? "Normal" :
                    status == OrderStatus.Rejected ? "Abnormal,Completed" : "Normal,Completed")
                // Motif reads All as Trade, Amend and Cancel without Move, so Move is named.
                .name("Allows").string(working ? "Trade,Amend,Cancel,Move" : "None")
                .endObject();
        }
        out.endArray();
    }

    private static OrderRequestKind kind(final String topic)
    {
        switch (topic)
        {
            case "PlaceOrder":
                return OrderRequestKind.PLACE;
            case "AmendOrder":
                return OrderRequestKind.AMEND;
            case "CancelOrder":
                return OrderRequestKind.CANCEL;
            default:
                return OrderRequestKind.MOVE;
        }
    }

    private static String optionalId(final JsonNode data, final String field, final String code) throws Refused
    {
        final JsonNode node = data.get(field);
        if (null == node || node.isNull())
        {
            return null;
        }
        if (!node.isTextual() || !validId(node.asText()))
        {
            throw new Refused("Invalid", code);
        }
        return node.asText();
    }

    private static String requiredId(final JsonNode data, final String field, final String code) throws Refused
    {
        final String id = optionalId(data, field, code);
        if (null == id)
        {
            throw new Refused("Incomplete", code);
        }
        return id;
    }

    private static String requiredText(final JsonNode details, final String field, final String code)
        throws Refused
    {
        final JsonNode node = details.get(field);
        if (null == node || node.isNull())
        {
            throw new Refused("Incomplete", code);
        }
        if (!node.isTextual() || node.asText().isEmpty() || node.asText().length() > MAX_ID_LENGTH)
        {
            throw new Refused("Invalid", code);
        }
        return node.asText();
    }

    private static void style(final JsonNode details) throws Refused
    {
        final JsonNode style = details.get("Style");
        // The reference's own examples say Equity for what its tables call Market.
        if (null != style && !style.isNull() && !"Market".equals(style.asText()) && !"Equity".equals(style.asText()))
        {
            throw new Refused("Invalid", "Style");
        }
    }

    private static Side side(final JsonNode details) throws Refused
    {
        final JsonNode side = details.get("Side");
        if (null == side || side.isNull())
        {
            throw new Refused("Incomplete", "Side");
        }
        switch (side.asText())
        {
            case "Bid":
                return Side.BID;
            case "Ask":
                return Side.ASK;
            default:
                throw new Refused("Invalid", "Side");
        }
    }

    private static OrderType orderType(final JsonNode details) throws Refused
    {
        final JsonNode type = details.get("Type");
        if (null == type || type.isNull())
        {
            throw new Refused("Incomplete", "OrderType");
        }
        for (final OrderType candidate : OrderType.values())
        {
            if (candidate != OrderType.NULL_VAL && candidate.name().equals(type.asText()))
            {
                return candidate;
            }
        }
        throw new Refused("Invalid", "OrderType");
    }

    private static Validity validity(final JsonNode details) throws Refused
    {
        final JsonNode validity = details.get("Validity");
        // The reference's examples leave it out; an order without one stays until cancelled.
        if (null == validity || validity.isNull())
        {
            return Validity.UntilCancel;
        }
        for (final Validity candidate : Validity.values())
        {
            if (candidate != Validity.NULL_VAL && candidate.name().equals(validity.asText()))
            {
                return candidate;
            }
        }
        throw new Refused("Invalid", "Validity");
    }

    private static long quantity(final JsonNode details) throws Refused
    {
        final JsonNode quantity = details.get("Quantity");
        if (null == quantity || quantity.isNull())
        {
            throw new Refused("Incomplete", "TotalQuantity");
        }
        if (!quantity.isIntegralNumber() || !quantity.canConvertToLong() || quantity.asLong() <= 0)
        {
            throw new Refused("Invalid", "TotalQuantity");
        }
        return quantity.asLong();
    }

    private static String route(final JsonNode route, final String exchange) throws Refused
    {
        if (null == route || route.isNull())
        {
            return exchange;
        }
        final JsonNode algorithm = route.get("Algorithm");
        if (null == algorithm || !algorithm.isTextual())
        {
            throw new Refused("Incomplete", "Route.Algorithm");
        }
        switch (algorithm.asText())
        {
            case "Market":
                final JsonNode market = route.get("Market");
                if (null == market || !market.isTextual() || market.asText().isEmpty() ||
                    market.asText().length() > MAX_ID_LENGTH)
                {
                    throw new Refused("Incomplete", "Route.Market");
                }
                return market.asText();
            case "BestMarket":
                return exchange;
            default:
                throw new Refused("Invalid", "Route.Algorithm");
        }
    }
}
