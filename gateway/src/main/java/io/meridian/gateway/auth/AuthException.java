package io.meridian.gateway.auth;

/**
 * A rejected access token. The {@link #reason()} is a short fixed phrase such as {@code "expired"} or
 * {@code "bad signature"} that is safe to send to the client and to log: it never contains the token or any value
 * taken from it. Thrown often and expected, so no stack trace is filled in.
 */
public final class AuthException extends Exception
{
    private final String reason;

    /**
     * A rejection with no underlying cause.
     *
     * @param reason short phrase saying what was wrong with the token.
     */
    public AuthException(final String reason)
    {
        this(reason, null);
    }

    /**
     * A rejection caused by a library exception, kept for server-side diagnosis.
     *
     * @param reason short phrase saying what was wrong with the token.
     * @param cause  the exception that led to the rejection, or null.
     */
    public AuthException(final String reason, final Throwable cause)
    {
        super(reason, cause, false, false);
        this.reason = reason;
    }

    /**
     * What was wrong with the token, safe to show to the client.
     *
     * @return the short reason.
     */
    public String reason()
    {
        return reason;
    }
}
