package io.meridian.gateway;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.Protocols;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The server's half of the WebSocket opening handshake (RFC 6455 section 4.2): which requests are upgrades, the
 * accept key, and the subprotocol chosen from the client's list.
 */
final class WebSocketHandshake
{
    static final String VERSION = "13";
    static final HttpString SEC_WEBSOCKET_KEY = new HttpString("Sec-WebSocket-Key");
    static final HttpString SEC_WEBSOCKET_VERSION = new HttpString("Sec-WebSocket-Version");
    static final HttpString SEC_WEBSOCKET_PROTOCOL = new HttpString("Sec-WebSocket-Protocol");
    static final HttpString SEC_WEBSOCKET_ACCEPT = new HttpString("Sec-WebSocket-Accept");
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WebSocketHandshake()
    {
    }

    /**
     * @param exchange a request.
     * @return true if it asks to become a WebSocket: a GET with {@code Upgrade: websocket} and {@code Connection}
     * naming {@code Upgrade}, over HTTP/1.1.
     */
    static boolean isUpgrade(final HttpServerExchange exchange)
    {
        if (!Methods.GET.equals(exchange.getRequestMethod()) || !Protocols.HTTP_1_1.equals(exchange.getProtocol()))
        {
            return false;
        }
        final String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
        return null != upgrade && "websocket".equalsIgnoreCase(upgrade.trim()) &&
            listContains(exchange.getRequestHeaders().get(Headers.CONNECTION), "upgrade");
    }

    /**
     * @param key the client's {@code Sec-WebSocket-Key}.
     * @return true if it is the base64 form of 16 bytes, as the protocol requires.
     */
    static boolean validKey(final String key)
    {
        if (null == key)
        {
            return false;
        }
        try
        {
            return 16 == Base64.getDecoder().decode(key.trim()).length;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    /**
     * @param key the client's {@code Sec-WebSocket-Key}.
     * @return the {@code Sec-WebSocket-Accept} that answers it.
     */
    static String acceptKey(final String key)
    {
        try
        {
            final MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(
                sha1.digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-1 is not available", ex);
        }
    }

    /**
     * @param offered the client's {@code Sec-WebSocket-Protocol} header values, or null.
     * @param ours    the one subprotocol this endpoint speaks.
     * @return true if the client offered it.
     */
    static boolean offers(final HeaderValues offered, final String ours)
    {
        return listContains(offered, ours, false);
    }

    private static boolean listContains(final HeaderValues values, final String token)
    {
        return listContains(values, token, true);
    }

    private static boolean listContains(final HeaderValues values, final String token, final boolean ignoreCase)
    {
        if (null == values)
        {
            return false;
        }
        for (final String value : values)
        {
            for (final String part : value.split(","))
            {
                final String name = part.trim();
                if (ignoreCase ? token.equalsIgnoreCase(name) : token.equals(name))
                {
                    return true;
                }
            }
        }
        return false;
    }
}
