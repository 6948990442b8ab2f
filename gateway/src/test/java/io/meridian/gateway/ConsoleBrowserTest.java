package io.meridian.gateway;

import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), driven by
 * Selenium against a demo-mode Meridian: sign-in with the demo issuer, prices that tick, an order placed from the
 * ticket that shows in the orders panel and fills, an amend and a cancel, the operator view's live figures, the
 * keyboard, and no errors in the browser's console. Screenshots of both views go to {@code target/console/}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern ORDER_ID = Pattern.compile("order (\\S+)");
    private static MeridianServer server;
    private static ChromeDriver browser;
    private static WebDriverWait wait;
    private static String base;

    @BeforeAll
    static void start()
    {
        server = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "sim.markets", "1",
            "sim.securities", "6",
            "sim.update-rate", "200",
            "sim.session-seconds", "0")));
        base = "http://127.0.0.1:" + server.port();

        browser = HeadlessChromium.start();
        wait = HeadlessChromium.waitFor(browser, WAIT);
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
    }

    @Test
    @Order(1)
    void thePageSignsInWithTheDemoIssuerAndPricesTick()
    {
        browser.get(base + "/");
        wait.until(d -> d.findElement(By.id("demo-form")).isDisplayed());
        final WebElement user = browser.findElement(By.id("user"));
        user.clear();
        user.sendKeys("carol", Keys.ENTER);

        wait.until(d -> d.findElement(By.id("view-trader")).isDisplayed());
        assertTrue(browser.findElement(By.id("status")).getText().contains("carol"),
            browser.findElement(By.id("status")).getText());
        wait.until(d -> rows("watchlist").size() == 6 && !cellText("watchlist", 0, 1).isEmpty());
        final String first = prices();
        wait.until(d -> !prices().equals(first));
        wait.until(d -> !rows("depth").isEmpty());
        assertFalse(cellText("depth", 0, 2).isEmpty() && cellText("depth", 0, 3).isEmpty());
        wait.until(d -> new Select(d.findElement(By.id("ticket-account"))).getOptions().size() >= 1);
        wait.until(d -> !rows("balances").isEmpty());
    }

    @Test
    @Order(2)
    void theKeyboardSelectsASymbolAndItsBookFollows()
    {
        final String key = cellText("watchlist", 2, 0);
        browser.findElement(By.cssSelector("#watchlist tr[data-key='" + key + "']")).sendKeys(Keys.ENTER);

        wait.until(d -> key.equals(d.findElement(By.id("depth-symbol")).getText()));
        wait.until(d -> key.equals(d.findElement(By.id("ticket-symbol")).getAttribute("value")));
        wait.until(d -> !rows("depth").isEmpty());
    }

    @Test
    @Order(3)
    void aMarketOrderFromTheTicketAppearsInTheOrdersPanelAndFills() throws Exception
    {
        new Select(browser.findElement(By.id("ticket-side"))).selectByValue("Bid");
        new Select(browser.findElement(By.id("ticket-type"))).selectByValue("Market");
        setValue("ticket-quantity", "10");
        browser.findElement(By.id("ticket-submit")).click();

        final String orderId = placedOrder("Place: Success");
        wait.until(d -> "Filled".equals(orderCell(orderId, 7)));
        wait.until(d -> !rows("holdings").isEmpty());
        screenshot("console-trader.png");
    }

    @Test
    @Order(4)
    void aRestingOrderIsAmendedThenCancelledFromItsRow()
    {
        new Select(browser.findElement(By.id("ticket-type"))).selectByValue("Limit");
        new Select(browser.findElement(By.id("ticket-side"))).selectByValue("Bid");
        setValue("ticket-quantity", "7");
        setValue("ticket-price", "0.10");
        browser.findElement(By.id("ticket-submit")).click();
        final String orderId = placedOrder("Place: Success");
        wait.until(d -> "Working".equals(orderCell(orderId, 7)));

        browser.findElement(By.cssSelector("button[aria-label='Amend order " + orderId + "']")).click();
        wait.until(d -> d.findElement(By.id("ticket-submit")).getText().equals("Amend " + orderId));
        setValue("ticket-quantity", "9");
        browser.findElement(By.id("ticket-submit")).click();
        wait.until(d -> d.findElement(By.id("ticket-result")).getText().startsWith("Amend " + orderId + ": Success"));
        wait.until(d -> "9".equals(orderCell(orderId, 4)));

        browser.findElement(By.cssSelector("button[aria-label='Cancel order " + orderId + "']")).click();
        wait.until(d -> "Cancelled".equals(orderCell(orderId, 7)));
    }

    @Test
    @Order(5)
    void pricesTurnStaleWhileTheFeedIsDownAndLiveWhenItIsBack()
    {
        server.feedServer().pause();
        try
        {
            wait.until(d -> d.findElement(By.id("feeds-banner")).isDisplayed());
            assertTrue(browser.findElement(By.id("feeds-banner")).getText().contains("Impaired"),
                browser.findElement(By.id("feeds-banner")).getText());
            wait.until(d -> d.findElements(By.cssSelector("#watchlist tbody tr.stale")).size() == 6);
            assertEquals("stale", cellText("watchlist", 0, 5));
        }
        finally
        {
            server.feedServer().resume();
        }
        wait.until(d -> !d.findElement(By.id("feeds-banner")).isDisplayed());
        wait.until(d -> d.findElements(By.cssSelector("#watchlist tbody tr.stale")).isEmpty());
        final String back = prices();
        wait.until(d -> !prices().equals(back));
    }

    @Test
    @Order(6)
    void theOperatorViewShowsTheProxyLive() throws Exception
    {
        final WebElement traderTab = browser.findElement(By.id("tab-trader"));
        traderTab.sendKeys(Keys.ARROW_RIGHT);

        wait.until(d -> d.findElement(By.id("view-operator")).isDisplayed());
        assertFalse(browser.findElement(By.id("view-trader")).isDisplayed());
        wait.until(d -> "up".equals(cardValue("feed")) && "up".equals(cardValue("trading")));
        wait.until(d -> cardValue("in").matches("[0-9,]+") && !"0".equals(cardValue("in")));
        wait.until(d -> cardValue("out").matches("[0-9,]+"));
        wait.until(d -> cardValue("sessions").matches("[1-9][0-9]*"));
        assertTrue(cardValue("items").matches("[1-9][0-9]* / [0-9]+ / [0-9]+"), cardValue("items"));
        assertEquals("0", cardValue("slow"));
        assertEquals("off (no origin set)", cardValue("http"));
        wait.until(d -> cardValue("downstream").matches("0 / 0, [0-9,]+"));
        // The small charts fill second by second.
        wait.until(d -> Integer.parseInt(d.findElement(By.cssSelector("#card-in canvas")).getAttribute(
            "data-points")) >= 8);
        wait.until(d -> rows("sessions").stream().anyMatch(r -> r.getText().contains("carol")));
        screenshot("console-operator.png");
    }

    @Test
    @Order(7)
    void theBrowserLoggedNoErrors()
    {
        final List<String> errors = HeadlessChromium.errors(browser);
        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    @Order(8)
    void theConsoleFilesComeWithTheirHeadersAndNothingElseIsServed() throws Exception
    {
        final HttpClient http = HttpClient.newHttpClient();
        final HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/console/")).build(),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> config = http.send(HttpRequest.newBuilder(URI.create(base +
            "/console/config.json")).build(), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create(base + "/console")).build(),
            HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base +
            "/console/secret.txt")).build(), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/console/console.js"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"));
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertTrue(page.body().contains("<script src=\"/console/console.js\">"));
        assertEquals("{\"demo\":true,\"name\":\"Meridian\",\"version\":\"" + MeridianServer.VERSION + "\"}",
            config.body());
        assertEquals(302, bare.statusCode());
        assertEquals("/console/", bare.headers().firstValue("Location").orElse(""));
        assertEquals(404, missing.statusCode());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
    }

    private static String placedOrder(final String prefix)
    {
        wait.until(d -> d.findElement(By.id("ticket-result")).getText().startsWith("Place:"));
        final String result = browser.findElement(By.id("ticket-result")).getText();
        assertTrue(result.startsWith(prefix), result);
        final Matcher matcher = ORDER_ID.matcher(result);
        assertTrue(matcher.find(), result);
        final String orderId = matcher.group(1);
        wait.until(d -> null != orderCell(orderId, 0));
        return orderId;
    }

    private static String orderCell(final String orderId, final int column)
    {
        return (String)browser.executeScript("const row = document.querySelector('#orders tr[data-order=\"' + " +
            "arguments[0] + '\"]'); return row ? row.cells[arguments[1]].textContent : null;", orderId, column);
    }

    private static List<WebElement> rows(final String table)
    {
        return browser.findElements(By.cssSelector("#" + table + " tbody tr"));
    }

    private static String cellText(final String table, final int row, final int column)
    {
        return (String)browser.executeScript("const rows = document.querySelectorAll('#' + arguments[0] + " +
            "' tbody tr'); return arguments[1] < rows.length ? rows[arguments[1]].cells[arguments[2]].textContent : " +
            "'';", table, row, column);
    }

    /**
     * @return each watchlist row's last, bid, ask and volume, read in one go in the page.
     */
    private static String prices()
    {
        return (String)browser.executeScript("return [...document.querySelectorAll('#watchlist tbody tr')]" +
            ".map(r => [...r.cells].slice(1, 5).map(c => c.textContent).join('|')).join(';');");
    }

    private static String cardValue(final String card)
    {
        final List<WebElement> values = browser.findElements(By.cssSelector("#card-" + card + " .value"));
        return values.isEmpty() ? "" : values.get(0).getText();
    }

    private static void setValue(final String id, final String value)
    {
        final WebElement input = browser.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    private static void screenshot(final String name) throws Exception
    {
        final Path dir = Path.of("target", "console");
        Files.createDirectories(dir);
        final File shot = ((TakesScreenshot)browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
