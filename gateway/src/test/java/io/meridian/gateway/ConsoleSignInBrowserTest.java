package io.meridian.gateway;

import com.sun.net.httpserver.HttpServer;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console against a Meridian with an identity provider (a real OIDC server in the test): the page signs in
 * with the authorization code flow and PKCE, authenticates its WebSocket with the access token, renews it with the
 * refresh token on the same socket before it expires, and logs no errors on the way.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsoleSignInBrowserTest
{
    private static final String AUDIENCE = "meridian-api";
    private static MockIdentityProvider idp;
    private static HttpServer origin;
    private static MeridianServer server;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws IOException
    {
        idp = new MockIdentityProvider();
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        origin.createContext("/", exchange ->
        {
            final byte[] body = "a cacheable page".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Cache-Control", "max-age=600");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        origin.start();
        server = MeridianServer.start(MeridianConfig.of(Map.ofEntries(
            Map.entry("http-cache.origin", "http://127.0.0.1:" + origin.getAddress().getPort()),
            Map.entry("server.port", "0"),
            Map.entry("server.host", "127.0.0.1"),
            Map.entry("sim.markets", "1"),
            Map.entry("sim.securities", "4"),
            Map.entry("sim.update-rate", "100"),
            Map.entry("auth.jwks-url", idp.jwksUrl()),
            Map.entry("auth.issuer", idp.issuer()),
            Map.entry("auth.audience", AUDIENCE),
            Map.entry("trading.allow-plain-connections", "true"),
            Map.entry("console.oidc-client-id", "meridian-console"),
            Map.entry("console.oidc-scope", "openid zenith/market zenith/trading"))));
        browser = HeadlessChromium.start();
    }

    @AfterAll
    static void stop()
    {
        if (null != browser)
        {
            browser.quit();
        }
        if (null != server)
        {
            server.close();
        }
        if (null != idp)
        {
            idp.close();
        }
        if (null != origin)
        {
            origin.stop(0);
        }
    }

    @Test
    void signsInAtTheIdentityProviderAndRenewsOnTheSameSocket() throws Exception
    {
        final Map<String, Object> claims = new HashMap<>();
        claims.put("preferred_username", "dana");
        claims.put("scope", "openid zenith/market zenith/trading zenith/orderpad zenith/admin");
        // Short-lived, so that the renewal at 80 % of its life comes within the test.
        idp.nextLogin("dana", AUDIENCE, claims, 12);
        final String base = "http://127.0.0.1:" + server.port();
        final WebDriverWait wait = HeadlessChromium.waitFor(browser, Duration.ofSeconds(30));

        browser.get(base + "/console/");
        wait.until(d -> d.findElement(By.id("oidc-form")).isDisplayed());
        assertEquals(idp.issuer(), browser.findElement(By.id("oidc-issuer")).getText());
        assertFalse(browser.findElement(By.id("demo-form")).isDisplayed(), "no demo issuer here");
        browser.findElement(By.cssSelector("#oidc-form button")).click();

        wait.until(d -> d.findElement(By.id("status")).getText().startsWith("Connected as dana"));
        assertEquals(base + "/console/", browser.getCurrentUrl(), "the code is taken off the address");
        wait.until(d -> d.findElements(By.cssSelector("#watchlist tbody tr")).size() == 4);
        wait.until(d -> d.findElement(By.id("status")).getText().contains("token renewed"));
        assertTrue(browser.findElement(By.id("view-trader")).isDisplayed());

        // With an origin set, / is the origin's; the operator view shows the HTTP cache's hit ratio.
        final HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 4; i++)
        {
            final HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/page")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(i == 0 ? "MISS" : "HIT", page.headers().firstValue("X-Cache").orElse(""));
        }
        browser.findElement(By.id("tab-operator")).click();
        wait.until(d -> "75.0 %".equals(d.findElement(By.cssSelector("#card-http .value")).getText()));
        final List<String> errors = HeadlessChromium.errors(browser);
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void theConfigNamesTheProviderAndThePolicyLetsThePageReachIt() throws Exception
    {
        final HttpResponse<String> config = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/console/config.json")).build(),
            HttpResponse.BodyHandlers.ofString());

        assertTrue(config.body().startsWith("{\"demo\":false,"), config.body());
        assertTrue(config.body().endsWith(",\"oidc\":{\"issuer\":\"" + idp.issuer() +
            "\",\"clientId\":\"meridian-console\",\"scope\":\"openid zenith/market zenith/trading\"}}"), config.body());
        final URI issuer = URI.create(idp.issuer());
        assertTrue(config.headers().firstValue("Content-Security-Policy").orElse("")
            .contains("connect-src 'self' ws: wss: http://" + issuer.getRawAuthority() + ";"),
            config.headers().firstValue("Content-Security-Policy").orElse(""));
    }
}
