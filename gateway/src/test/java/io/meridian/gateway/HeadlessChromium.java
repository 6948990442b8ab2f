package io.meridian.gateway;

import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

/**
 * Debian's {@code chromium}, headless, driven through its {@code chromedriver}: no browser or driver is downloaded.
 * Both are looked up on the {@code PATH}, or named by {@code MERIDIAN_CHROMIUM} and {@code MERIDIAN_CHROMEDRIVER}; a
 * machine without them fails the test with a message saying what to install.
 */
final class HeadlessChromium
{
    private HeadlessChromium()
    {
    }

    /**
     * @return a browser that keeps its console messages for {@link #errors}.
     */
    static ChromeDriver start()
    {
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(executable("MERIDIAN_CHROMIUM", "chromium", "chromium"));
        // --no-sandbox: CI runs as root, where Chromium's sandbox will not start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,1100",
            "--disable-gpu", "--no-first-run", "--disable-extensions");
        final LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(executable("MERIDIAN_CHROMEDRIVER", "chromedriver", "chromium-driver"))
            .usingAnyFreePort()
            .build();
        return new ChromeDriver(service, options);
    }

    /**
     * A wait whose conditions may look an element up while the page replaces it (a redirect landing, a table
     * re-rendered): the element found can go stale before it is read, and the condition is then tried again rather
     * than failing the test.
     *
     * @param browser a browser from {@link #start()}.
     * @param timeout how long the conditions may take.
     * @return the wait.
     */
    static WebDriverWait waitFor(final ChromeDriver browser, final Duration timeout)
    {
        final WebDriverWait wait = new WebDriverWait(browser, timeout);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /**
     * @param browser a browser from {@link #start()}.
     * @return the errors its pages logged to the console since the last call (failed requests included).
     */
    static List<String> errors(final ChromeDriver browser)
    {
        final List<String> severe = new ArrayList<>();
        for (final LogEntry entry : browser.manage().logs().get(LogType.BROWSER))
        {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue())
            {
                severe.add(entry.getMessage());
            }
        }
        return severe;
    }

    private static File executable(final String variable, final String name, final String debianPackage)
    {
        final String named = System.getenv(variable);
        if (null != named && !named.isEmpty())
        {
            return new File(named);
        }
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            final File candidate = new File(dir, name);
            if (candidate.canExecute())
            {
                return candidate;
            }
        }
        throw new IllegalStateException("the console's browser tests need " + name + " (Debian: apt-get install " +
            debianPackage + ") or its path in " + variable);
    }
}
