package io.meridian.gateway.auth;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Who a verified access token says the caller is, and until when: the result of {@link TokenVerifier#verify}.
 * Sessions keep it to gate controllers by scope and to stop data when the token expires.
 *
 * @param userId      the token's user id claim: {@code auth.user-claim}, {@code sub} by default.
 * @param displayName the first of {@code auth.name-claims} present ({@code name}, else
 *                    {@code preferred_username}, by default), else the user id.
 * @param scopes      the canonical rights granted, names from {@link Rights}, mapped by {@link ClaimMapping} from
 *                    the token's scopes, roles or permissions; unmodifiable.
 * @param expiresAtMs the {@code exp} claim in epoch milliseconds.
 * @param token       the verified compact JWT, kept to forward or to compare on renewal; left out of
 *                    {@link #toString()}.
 */
public record AuthenticatedUser(String userId, String displayName, Set<String> scopes, long expiresAtMs, String token)
{
    /**
     * Checks the parts and makes the scopes unmodifiable.
     *
     * @param userId      the user id.
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
     * Is a right granted?
     *
     * @param scope a canonical right such as {@link Rights#TRADING}.
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
