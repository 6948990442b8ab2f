package io.meridian.gateway.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import io.meridian.config.MeridianConfig;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where in a verified token the user id, display name and rights are found, so tokens from Keycloak, Auth0 and
 * Entra ID work without the gateway knowing which provider issued them. Values of the scope claims are pooled, and
 * each canonical right of {@link Rights} is granted when one of the token values configured for it is in the pool.
 * Immutable and thread safe.
 * <p>
 * A claim path names a top-level claim or, through dots, a claim inside nested objects, such as Keycloak's
 * {@code realm_access.roles}. Since claim names may contain dots themselves (Auth0's namespaced
 * {@code https://example.com/roles}), a path is looked up whole first and only then split at each dot in turn.
 */
public final class ClaimMapping
{
    private static final ClaimMapping DEFAULTS = fromConfig(MeridianConfig.defaults());

    private final String userClaim;
    private final List<String> nameClaims;
    private final List<String> scopeClaims;
    private final Map<String, Set<String>> grants;

    /**
     * A mapping from explicit parts.
     *
     * @param userClaim   path of the claim holding the user id.
     * @param nameClaims  paths tried in order for the display name; may be empty.
     * @param scopeClaims paths of the claims whose values grant rights.
     * @param grants      for each canonical right of {@link Rights}, the token values that grant it; a right left
     *                    out is granted to no one.
     * @throws IllegalArgumentException when a path is empty or a right is not one of {@link Rights#ALL}.
     */
    public ClaimMapping(
        final String userClaim,
        final List<String> nameClaims,
        final List<String> scopeClaims,
        final Map<String, ? extends Collection<String>> grants)
    {
        this.userClaim = checkPath(userClaim);
        this.nameClaims = List.copyOf(nameClaims);
        this.scopeClaims = List.copyOf(scopeClaims);
        this.nameClaims.forEach(ClaimMapping::checkPath);
        this.scopeClaims.forEach(ClaimMapping::checkPath);

        final Map<String, Set<String>> byRight = new LinkedHashMap<>();
        for (final String right : Rights.ALL)
        {
            final Collection<String> values = grants.get(right);
            byRight.put(right, null == values ? Set.of() : Set.copyOf(values));
        }
        for (final String right : grants.keySet())
        {
            if (!Rights.ALL.contains(right))
            {
                throw new IllegalArgumentException("not a right: " + right);
            }
        }
        this.grants = Collections.unmodifiableMap(byRight);
    }

    /**
     * The mapping of the setting defaults: user id from {@code sub}, display name from {@code name} or
     * {@code preferred_username}, rights from {@code scope} and {@code scp} carrying the canonical names.
     *
     * @return the default mapping.
     */
    public static ClaimMapping defaults()
    {
        return DEFAULTS;
    }

    /**
     * The mapping from {@code auth.user-claim}, {@code auth.name-claims}, {@code auth.scope-claims} and the
     * {@code auth.*-scopes} settings.
     *
     * @param config the process settings.
     * @return the mapping.
     */
    public static ClaimMapping fromConfig(final MeridianConfig config)
    {
        return new ClaimMapping(
            config.authUserClaim(),
            config.authNameClaims(),
            config.authScopeClaims(),
            Map.of(
                Rights.MARKET, config.authMarketScopes(),
                Rights.TRADING, config.authTradingScopes(),
                Rights.ORDER_PAD, config.authOrderPadScopes(),
                Rights.ADMIN, config.authAdminScopes()));
    }

    /**
     * The user id: the string at the user claim path.
     *
     * @param claims the verified claims.
     * @return the user id, not blank.
     * @throws AuthException when the claim is missing, blank or not a string.
     */
    public String userId(final JWTClaimsSet claims) throws AuthException
    {
        final Object value = find(claims.getClaims(), userClaim);
        if (!(value instanceof String) || ((String)value).isBlank())
        {
            // The reason names the configured path, never a value from the token.
            throw new AuthException("missing claim " + userClaim);
        }
        return (String)value;
    }

    /**
     * The display name: the first non-blank string among the name claims, else the user id.
     *
     * @param claims the verified claims.
     * @param userId the user id, the fallback.
     * @return the name to show.
     */
    public String displayName(final JWTClaimsSet claims, final String userId)
    {
        for (final String path : nameClaims)
        {
            final Object value = find(claims.getClaims(), path);
            if (value instanceof String && !((String)value).isBlank())
            {
                return (String)value;
            }
        }
        return userId;
    }

    /**
     * The canonical rights the token grants.
     *
     * @param claims the verified claims.
     * @return names from {@link Rights#ALL}, in that order; empty when the token grants none.
     */
    public Set<String> rights(final JWTClaimsSet claims)
    {
        final Set<String> values = new LinkedHashSet<>();
        for (final String path : scopeClaims)
        {
            collect(values, find(claims.getClaims(), path));
        }

        final Set<String> rights = new LinkedHashSet<>();
        for (final Map.Entry<String, Set<String>> grant : grants.entrySet())
        {
            for (final String value : grant.getValue())
            {
                if (values.contains(value))
                {
                    rights.add(grant.getKey());
                    break;
                }
            }
        }
        return rights;
    }

    @Override
    public String toString()
    {
        return "ClaimMapping[userClaim=" + userClaim + ", nameClaims=" + nameClaims + ", scopeClaims=" +
            scopeClaims + ", grants=" + grants + "]";
    }

    private static String checkPath(final String path)
    {
        if (null == path || path.isEmpty())
        {
            throw new IllegalArgumentException("a claim path must not be empty");
        }
        return path;
    }

    /**
     * The value at a path, or null. Tries the whole path as a key first, then each split at a dot from the left
     * whose head names a nested object, so dotted claim names and nested paths both resolve.
     */
    static Object find(final Map<String, Object> object, final String path)
    {
        final Object whole = object.get(path);
        if (null != whole)
        {
            return whole;
        }

        for (int dot = path.indexOf('.'); dot > 0 && dot < path.length() - 1; dot = path.indexOf('.', dot + 1))
        {
            final Object head = object.get(path.substring(0, dot));
            if (head instanceof Map)
            {
                @SuppressWarnings("unchecked")
                final Object found = find((Map<String, Object>)head, path.substring(dot + 1));
                if (null != found)
                {
                    return found;
                }
            }
        }
        return null;
    }

    /**
     * Adds the values of one scope claim: a string is split at white space, as OAuth's {@code scope} is; each
     * string element of an array is taken whole, as role names may contain spaces. Anything else grants nothing.
     */
    private static void collect(final Set<String> values, final Object claim)
    {
        if (claim instanceof String)
        {
            for (final String value : ((String)claim).trim().split("\\s+"))
            {
                if (!value.isEmpty())
                {
                    values.add(value);
                }
            }
        }
        else if (claim instanceof Collection)
        {
            for (final Object element : (Collection<?>)claim)
            {
                if (element instanceof String && !((String)element).isBlank())
                {
                    values.add(((String)element).trim());
                }
            }
        }
    }
}
