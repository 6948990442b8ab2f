package io.meridian.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Claims to rights with tokens shaped like those Keycloak, Auth0 and Entra ID issue, each signed and run through
 * {@link TokenVerifier} with the settings security.md gives for that provider.
 */
class ClaimMappingTest
{
    private static final long NOW_SECONDS = 1_800_000_000L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW_SECONDS), ZoneOffset.UTC);

    private static final String KEYCLOAK_ISSUER = "https://sso.example.com/realms/trading";
    private static final String AUTH0_ISSUER = "https://example-tenant.eu.auth0.com/";
    private static final String AUTH0_AUDIENCE = "https://meridian.example.com/api";
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String ENTRA_ISSUER = "https://login.microsoftonline.com/" + TENANT + "/v2.0";
    private static final String ENTRA_API_CLIENT_ID = "6e74172b-be56-4843-9ff4-e66a39bb12e3";

    private static RSAKey key;

    @BeforeAll
    static void makeKey() throws JOSEException
    {
        key = new RSAKeyGenerator(2048).keyID("Zq3bD1l9CJ2p8pq5ctGu0hkHk3tAH2yBSlS9D9Yt4yQ").generate();
    }

    @Test
    void keycloakScopeRealmRolesAndClientRoles() throws Exception
    {
        final TokenVerifier verifier = verifier(KEYCLOAK_ISSUER, "meridian-api", Map.of(
            "auth.scope-claims", "scope,realm_access.roles,resource_access.meridian-api.roles",
            "auth.market-scopes", "zenith-market",
            "auth.trading-scopes", "meridian-trader",
            "auth.orderpad-scopes", "orderpad",
            "auth.admin-scopes", "meridian-admin"));

        final AuthenticatedUser alice = verifier.verify(sign(keycloak(
            "f3a1c2d4-5b6e-4f70-8a91-b2c3d4e5f607", "Alice Example", "alice",
            "openid profile email zenith-market",
            List.of("offline_access", "uma_authorization", "default-roles-trading", "meridian-trader"),
            List.of("orderpad"))));

        assertEquals("f3a1c2d4-5b6e-4f70-8a91-b2c3d4e5f607", alice.userId());
        assertEquals("Alice Example", alice.displayName());
        assertEquals(List.of(Rights.MARKET, Rights.TRADING, Rights.ORDER_PAD), List.copyOf(alice.scopes()));

        final AuthenticatedUser viewer = verifier.verify(sign(keycloak(
            "0a1b2c3d-0000-4000-8000-000000000002", null, "bob",
            "openid profile zenith-market",
            List.of("offline_access", "default-roles-trading"),
            null)));

        assertEquals("bob", viewer.displayName());
        assertEquals(Set.of(Rights.MARKET), viewer.scopes());
    }

    @Test
    void keycloakRealmRoleCanGrantAdmin() throws Exception
    {
        final TokenVerifier verifier = verifier(KEYCLOAK_ISSUER, "meridian-api", Map.of(
            "auth.scope-claims", "realm_access.roles",
            "auth.admin-scopes", "meridian-admin"));

        final AuthenticatedUser admin = verifier.verify(sign(keycloak(
            "9f8e7d6c-0000-4000-8000-000000000003", "Operator", "ops", "openid",
            List.of("meridian-admin", "offline_access"), null)));

        assertEquals(Set.of(Rights.ADMIN), admin.scopes());
    }

    @Test
    void auth0ScopePermissionsAndNamespacedRoles() throws Exception
    {
        final TokenVerifier verifier = verifier(AUTH0_ISSUER, AUTH0_AUDIENCE, Map.of(
            "auth.name-claims", "https://example.com/name",
            "auth.scope-claims", "scope,permissions,https://example.com/roles",
            "auth.market-scopes", "read:market",
            "auth.trading-scopes", "read:trading",
            "auth.orderpad-scopes", "write:orders",
            "auth.admin-scopes", "Meridian Admin"));

        final JWTClaimsSet user = new JWTClaimsSet.Builder()
            .claim("https://example.com/roles", List.of("Meridian Admin"))
            .claim("https://example.com/name", "Alice Example")
            .issuer(AUTH0_ISSUER)
            .subject("auth0|64f0c0ffee1234567890abcd")
            .audience(List.of(AUTH0_AUDIENCE, "https://example-tenant.eu.auth0.com/userinfo"))
            .issueTime(at(NOW_SECONDS))
            .expirationTime(at(NOW_SECONDS + 86_400))
            .claim("scope", "openid profile email read:market")
            .claim("azp", "kH3l0wOr1dCl1entId0000000000000")
            .claim("permissions", List.of("read:market", "read:trading", "write:orders"))
            .build();

        final AuthenticatedUser alice = verifier.verify(sign(user, new JOSEObjectType("at+jwt")));

        assertEquals("auth0|64f0c0ffee1234567890abcd", alice.userId());
        assertEquals("Alice Example", alice.displayName());
        assertEquals(List.of(Rights.MARKET, Rights.TRADING, Rights.ORDER_PAD, Rights.ADMIN),
            List.copyOf(alice.scopes()));
    }

    @Test
    void auth0MachineToMachineTokenWithScopeOnly() throws Exception
    {
        final TokenVerifier verifier = verifier(AUTH0_ISSUER, AUTH0_AUDIENCE, Map.of(
            "auth.scope-claims", "scope,permissions",
            "auth.market-scopes", "read:market",
            "auth.trading-scopes", "read:trading"));

        final JWTClaimsSet machine = new JWTClaimsSet.Builder()
            .issuer(AUTH0_ISSUER)
            .subject("Xy7GmYQ0abcdefghijklmnop@clients")
            .audience(AUTH0_AUDIENCE)
            .issueTime(at(NOW_SECONDS))
            .expirationTime(at(NOW_SECONDS + 86_400))
            .claim("scope", "read:market")
            .claim("gty", "client-credentials")
            .claim("azp", "Xy7GmYQ0abcdefghijklmnop")
            .build();

        final AuthenticatedUser client = verifier.verify(sign(machine, JOSEObjectType.JWT));

        assertEquals("Xy7GmYQ0abcdefghijklmnop@clients", client.userId());
        assertEquals(client.userId(), client.displayName());
        assertEquals(Set.of(Rights.MARKET), client.scopes());
    }

    @Test
    void entraDelegatedTokenUsesOidScpAndRoles() throws Exception
    {
        final TokenVerifier verifier = entraVerifier();
        final JWTClaimsSet delegated = entra()
            .claim("name", "Alice Example")
            .claim("preferred_username", "alice@contoso.com")
            .claim("oid", "690222be-ff1a-4d56-abd1-7e4f7d38e474")
            .subject("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ")
            .claim("scp", "Market.Read Orders.Write")
            .claim("roles", List.of("Meridian.Trader", "Meridian.OrderPad"))
            .claim("azp", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c")
            .build();

        final AuthenticatedUser alice = verifier.verify(sign(delegated, JOSEObjectType.JWT));

        assertEquals("690222be-ff1a-4d56-abd1-7e4f7d38e474", alice.userId());
        assertEquals("Alice Example", alice.displayName());
        assertEquals(List.of(Rights.MARKET, Rights.TRADING, Rights.ORDER_PAD), List.copyOf(alice.scopes()));
    }

    @Test
    void entraDelegatedScopeAloneGrantsOnlyWhatItIsMappedTo() throws Exception
    {
        // Users may be able to consent to delegated scopes themselves, so scp values are mapped to market data
        // only; a user holding Orders.Write without the app roles trades nothing.
        final JWTClaimsSet delegated = entra()
            .claim("oid", "22222222-3333-4444-5555-666666666666")
            .subject("CCCCCCCCCCCCCCCCCCCCCJkzqFVrSaSaFHy782bbtaQ")
            .claim("scp", "Market.Read Orders.Write Trading.Read")
            .build();

        assertEquals(Set.of(Rights.MARKET), entraVerifier().verify(sign(delegated, JOSEObjectType.JWT)).scopes());
    }

    @Test
    void entraTakesPreferredUsernameWhenNameIsNotIssued() throws Exception
    {
        final JWTClaimsSet delegated = entra()
            .claim("preferred_username", "bob@contoso.com")
            .claim("oid", "11111111-2222-3333-4444-555555555555")
            .subject("BBBBBBBBBBBBBBBBBBBBBJkzqFVrSaSaFHy782bbtaQ")
            .claim("scp", "Market.Read")
            .build();

        final AuthenticatedUser bob = entraVerifier().verify(sign(delegated, JOSEObjectType.JWT));

        assertEquals("bob@contoso.com", bob.displayName());
        assertEquals(Set.of(Rights.MARKET), bob.scopes());
    }

    @Test
    void entraAppOnlyTokenCarriesAppRolesWithoutScp() throws Exception
    {
        final JWTClaimsSet app = entra()
            .claim("oid", "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d")
            .subject("a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d")
            .claim("idtyp", "app")
            .claim("roles", List.of("Meridian.Market"))
            .claim("azp", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c")
            .build();

        final AuthenticatedUser service = entraVerifier().verify(sign(app, JOSEObjectType.JWT));

        assertEquals("a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d", service.userId());
        assertEquals(Set.of(Rights.MARKET), service.scopes());
    }

    @Test
    void entraTokenWithoutOidIsRejected() throws Exception
    {
        final JWTClaimsSet noOid = entra()
            .subject("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ")
            .claim("scp", "Market.Read")
            .build();

        final AuthException ex = assertThrows(
            AuthException.class, () -> entraVerifier().verify(sign(noOid, JOSEObjectType.JWT)));
        assertEquals("missing claim oid", ex.reason());
    }

    @Test
    void configuredValuesReplaceTheCanonicalNames() throws Exception
    {
        final TokenVerifier verifier = verifier(KEYCLOAK_ISSUER, "meridian-api", Map.of(
            "auth.scope-claims", "scope,realm_access.roles",
            "auth.trading-scopes", "meridian-trader",
            "auth.orderpad-scopes", ""));

        final AuthenticatedUser user = verifier.verify(sign(keycloak(
            "0a1b2c3d-0000-4000-8000-000000000004", null, "carol",
            "zenith/market zenith/trading zenith/orderpad zenith/admin", List.of(), null)));

        // The token asks for the canonical names, but only the market and admin defaults still grant anything.
        assertEquals(Set.of(Rights.MARKET, Rights.ADMIN), user.scopes());
    }

    @Test
    void scopeClaimsAreOnlyReadFromTheConfiguredClaims() throws Exception
    {
        final JWTClaimsSet claims = new JWTClaimsSet.Builder()
            .subject("dave")
            .claim("roles", List.of("zenith/trading"))
            .claim("scope", "zenith/market")
            .build();

        assertEquals(Set.of(Rights.MARKET), ClaimMapping.defaults().rights(claims));
    }

    @Test
    void stringsSplitAtWhiteSpaceAndArrayElementsAreTakenWhole() throws Exception
    {
        final ClaimMapping mapping = new ClaimMapping("sub", List.of(), List.of("scope", "roles"), Map.of(
            Rights.MARKET, List.of("market"),
            Rights.TRADING, List.of("Market Maker"),
            Rights.ORDER_PAD, List.of("Order"),
            Rights.ADMIN, List.of("admin")));
        final JWTClaimsSet claims = JWTClaimsSet.parse(Map.of(
            "sub", "erin",
            "scope", "  Order\tPad\nmarket  ",
            "roles", List.of("Market Maker", 7, List.of("admin"), Map.of("admin", true))));

        assertEquals(List.of(Rights.MARKET, Rights.TRADING, Rights.ORDER_PAD), List.copyOf(mapping.rights(claims)));
    }

    @Test
    void nonStringScopeClaimGrantsNothing() throws Exception
    {
        final JWTClaimsSet claims = JWTClaimsSet.parse(Map.of("sub", "frank", "scope", 42, "scp", true));

        assertTrue(ClaimMapping.defaults().rights(claims).isEmpty());
    }

    @Test
    void userIdMustBeANonBlankString() throws Exception
    {
        final ClaimMapping mapping = new ClaimMapping("uid", List.of(), List.of("scope"), Map.of());

        assertEquals("missing claim uid", assertThrows(AuthException.class,
            () -> mapping.userId(JWTClaimsSet.parse(Map.of("uid", 12345)))).reason());
        assertEquals("missing claim uid", assertThrows(AuthException.class,
            () -> mapping.userId(JWTClaimsSet.parse(Map.of("uid", "  ")))).reason());
        assertEquals("missing claim uid", assertThrows(AuthException.class,
            () -> mapping.userId(JWTClaimsSet.parse(Map.of("sub", "grace")))).reason());
        assertEquals("grace", mapping.userId(JWTClaimsSet.parse(Map.of("uid", "grace"))));
    }

    @Test
    void userIdMayComeFromANestedClaim() throws Exception
    {
        final ClaimMapping mapping = new ClaimMapping("ext.user.id", List.of("ext.user.name"), List.of("scope"),
            Map.of());
        final JWTClaimsSet claims = JWTClaimsSet.parse(Map.of(
            "ext", Map.of("user", Map.of("id", "u-17", "name", "Heidi"))));

        assertEquals("u-17", mapping.userId(claims));
        assertEquals("Heidi", mapping.displayName(claims, "u-17"));
        assertTrue(mapping.rights(claims).isEmpty());
    }

    @Test
    void pathsResolveWholeNamesFirstThenNestedObjects()
    {
        final Map<String, Object> claims = new HashMap<>();
        claims.put("https://example.com/roles", List.of("namespaced"));
        claims.put("realm_access", Map.of("roles", List.of("realm")));
        claims.put("resource_access", Map.of(
            "meridian.api", Map.of("roles", List.of("dotted client")),
            "meridian", Map.of("api", Map.of("other", "x"))));
        claims.put("a.b", "whole");
        claims.put("a", Map.of("b", "nested"));
        claims.put("flat", "not an object");

        assertEquals(List.of("namespaced"), ClaimMapping.find(claims, "https://example.com/roles"));
        assertEquals(List.of("realm"), ClaimMapping.find(claims, "realm_access.roles"));
        assertEquals(List.of("dotted client"), ClaimMapping.find(claims, "resource_access.meridian.api.roles"));
        assertEquals("whole", ClaimMapping.find(claims, "a.b"));
        assertNull(ClaimMapping.find(claims, "realm_access.groups"));
        assertNull(ClaimMapping.find(claims, "flat.x"));
        assertNull(ClaimMapping.find(claims, "missing"));
    }

    @Test
    void defaultsGrantTheCanonicalNamesFromScopeAndScp() throws Exception
    {
        final JWTClaimsSet claims = JWTClaimsSet.parse(Map.of(
            "sub", "ivan",
            "scope", "openid zenith/market zenith/admin",
            "scp", List.of("zenith/trading")));

        assertEquals(List.of(Rights.MARKET, Rights.TRADING, Rights.ADMIN),
            List.copyOf(ClaimMapping.defaults().rights(claims)));
    }

    @Test
    void refusesUnknownRightAndEmptyPath()
    {
        assertThrows(IllegalArgumentException.class,
            () -> new ClaimMapping("sub", List.of(), List.of("scope"), Map.of("zenith/everything", List.of("x"))));
        assertThrows(IllegalArgumentException.class,
            () -> new ClaimMapping("", List.of(), List.of("scope"), Map.of()));
        assertThrows(IllegalArgumentException.class,
            () -> new ClaimMapping("sub", List.of(""), List.of("scope"), Map.of()));
    }

    private static TokenVerifier entraVerifier()
    {
        return verifier(ENTRA_ISSUER, ENTRA_API_CLIENT_ID, Map.of(
            "auth.user-claim", "oid",
            "auth.scope-claims", "scp,roles",
            "auth.market-scopes", "Market.Read,Meridian.Market",
            "auth.trading-scopes", "Meridian.Trader",
            "auth.orderpad-scopes", "Meridian.OrderPad",
            "auth.admin-scopes", "Meridian.Admin"));
    }

    private static TokenVerifier verifier(
        final String issuer, final String audience, final Map<String, String> claimSettings)
    {
        final Map<String, String> settings = new HashMap<>(claimSettings);
        settings.put("auth.jwks-url", "https://idp.invalid/jwks");
        settings.put("auth.issuer", issuer);
        settings.put("auth.audience", audience);
        final MeridianConfig config = MeridianConfig.of(settings);

        return TokenVerifier.forKeys(new ImmutableJWKSet<>(new JWKSet(key.toPublicJWK())), issuer, audience,
            config.authAlgorithms(), config.authClockSkewSeconds(), CLOCK, ClaimMapping.fromConfig(config));
    }

    /**
     * A Keycloak access token: {@code typ} Bearer in the payload, the realm's roles under {@code realm_access},
     * client roles under {@code resource_access}, and the audience added by an audience mapper next to
     * {@code account}.
     */
    private static JWTClaimsSet keycloak(
        final String subject,
        final String name,
        final String username,
        final String scope,
        final List<String> realmRoles,
        final List<String> meridianClientRoles)
    {
        final Map<String, Object> resourceAccess = new HashMap<>();
        resourceAccess.put("account", Map.of("roles", List.of("manage-account", "view-profile")));
        if (null != meridianClientRoles)
        {
            resourceAccess.put("meridian-api", Map.of("roles", meridianClientRoles));
        }

        final JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
            .expirationTime(at(NOW_SECONDS + 300))
            .issueTime(at(NOW_SECONDS))
            .jwtID("onrtac:6f1e0c55-8a0b-4b55-a7a4-0e9a7f3c2d11")
            .issuer(KEYCLOAK_ISSUER)
            .audience(List.of("meridian-api", "account"))
            .subject(subject)
            .claim("typ", "Bearer")
            .claim("azp", "motif-web")
            .claim("sid", "4c1d7b8e-2f3a-4e5b-9c6d-7e8f9a0b1c2d")
            .claim("acr", "1")
            .claim("allowed-origins", List.of("https://motif.example.com"))
            .claim("realm_access", Map.of("roles", realmRoles))
            .claim("resource_access", resourceAccess)
            .claim("scope", scope)
            .claim("email_verified", true)
            .claim("preferred_username", username);
        if (null != name)
        {
            builder.claim("name", name);
        }
        return builder.build();
    }

    /**
     * The claims every Entra ID v2 access token for the API carries: {@code aud} is the API's client id,
     * {@code ver} 2.0.
     */
    private static JWTClaimsSet.Builder entra()
    {
        return new JWTClaimsSet.Builder()
            .audience(ENTRA_API_CLIENT_ID)
            .issuer(ENTRA_ISSUER)
            .issueTime(at(NOW_SECONDS))
            .notBeforeTime(at(NOW_SECONDS))
            .expirationTime(at(NOW_SECONDS + 3_900))
            .claim("aio", "AWQAm/8TAAAA")
            .claim("azpacr", "0")
            .claim("rh", "0.AXEAv4j5cvGGr0GRqy180BHbRw.")
            .claim("tid", TENANT)
            .claim("uti", "fqiBqXLPj0eQa82S-IYFAA")
            .claim("ver", "2.0");
    }

    private static Date at(final long epochSeconds)
    {
        return new Date(epochSeconds * 1000L);
    }

    private static String sign(final JWTClaimsSet claims) throws JOSEException
    {
        return sign(claims, JOSEObjectType.JWT);
    }

    private static String sign(final JWTClaimsSet claims, final JOSEObjectType type) throws JOSEException
    {
        final SignedJWT jwt = new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).type(type).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
