package io.meridian.gateway.auth;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who a verified access token says the caller is, and until when: the result of {@link TokenVerifier#verify}.
 * Sessions keep it to gate controllers by scope and to stop data when the token expires.
 *
 * @param userId      the token's {@code sub} claim.
 * @param displayName the {@code name} claim, else {@code preferred_username}, else the {@code sub}.
 * @param scopes      the granted scopes, from {@code scope} and {@code scp}, unmodifiable.
 * @param expiresAtMs the {@code exp} claim in epoch milliseconds.
 * @param token       the verified compact JWT, kept to forward or to compare on renewal; left out of
 *                    {@link #toString()}.
 */
public record AuthenticatedUser(String userId, String displayName, Set<String> scopes, long expiresAtMs, String token)
{
    /**
     * Checks the parts and makes the scopes unmodifiable.
     *
     * @param userId      the token's subject.
     * @param displayName name to show.
     * @param scopes      granted scopes.
     * @param expiresAtMs expiry in epoch milliseconds.
     * @param token       the compact JWT.
     */
    public AuthenticatedUser
    {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(token, "token");
        scopes = Collections.unmodifiableSet(new LinkedHashSet<>(Objects.requireNonNull(scopes, "scopes")));
    }

    /**
     * Is a scope granted?
     *
     * @param scope such as {@code zenith/trading}.
     * @return true when the token carries it.
     */
    public boolean hasScope(final String scope)
    {
        return scopes.contains(scope);
    }

    /**
     * Has the token run out at a given time?
     *
     * @param nowMs the current epoch time in milliseconds.
     * @return true when {@code nowMs} is at or past the expiry.
     */
    public boolean isExpired(final long nowMs)
    {
        return nowMs >= expiresAtMs;
    }

    /**
     * A description for logs that leaves out the token itself.
     *
     * @return the user, scopes and expiry.
     */
    @Override
    public String toString()
    {
        return "AuthenticatedUser[userId=" + userId + ", displayName=" + displayName + ", scopes=" + scopes +
            ", expiresAtMs=" + expiresAtMs + "]";
    }
}
