package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.meridian.gateway.Loopback.freeUdpPort;
import static io.meridian.gateway.Loopback.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three tiers in separate processes over loopback UDP: the simulated exchange (a process of its own on a media
 * driver in the test's JVM), proxy A on it, proxies B and C on A, and WebSocket clients on B and C. B takes its
 * updates from A's shared stream (multi-destination cast), C on its own link. B's clients see A's data and the
 * exchange is asked once per item however many clients B has; killing A with SIGKILL, or the exchange, turns the
 * items of B and C stale, and starting it again brings them back with full state, with nothing done by B, C or
 * their clients.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ProxyTierIT
{
    private static final long WAIT_MS = 30_000;
    private static final String AUDIENCE = "meridian";
    private static final String TOKEN = "tier-token";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern UPSTREAM_SUBSCRIBES =
        Pattern.compile("(?m)^meridian_engine_upstream_subscribes_total\\S* (\\S+)$");
    private static final Pattern SHARED_TAKEN =
        Pattern.compile("(?m)^meridian_upstream_shared_messages_total\\S* (\\S+)$");

    @TempDir
    static Path dir;
    private static Distribution distribution;
    private static MockIdentityProvider idp;
    private static MediaDriver driver;
    private static String aeronDir;
    private static final int FEED_PORT = freeUdpPort();
    private static final int TRADING_PORT = freeUdpPort();
    private static final int A_DOWNSTREAM_PORT = freeUdpPort();
    private static final int[] A_RESPONSE_PORTS = { freeUdpPort(), freeUdpPort() };
    private static final int[] B_RESPONSE_PORTS = { freeUdpPort(), freeUdpPort(), freeUdpPort() };
    private static final int[] C_RESPONSE_PORTS = { freeUdpPort(), freeUdpPort() };
    private static final int A_SHARED_CONTROL_PORT = freeUdpPort();
    private static final List<Process> STARTED = new ArrayList<>();
    /** Proxy A: on the exchange, serving downstream proxies on a UDP port of its own. */
    private static final List<String> A_LINKS = List.of(
        "upstream.channel=" + udp(FEED_PORT),
        "upstream.response-channel=" + udp(A_RESPONSE_PORTS[0]),
        "trading.channel=" + udp(TRADING_PORT),
        "trading.response-channel=" + udp(A_RESPONSE_PORTS[1]),
        "upstream.service-token=" + TOKEN,
        "trading.service-token=" + TOKEN,
        "downstream.channel=" + udp(A_DOWNSTREAM_PORT),
        "downstream.service-token=" + TOKEN,
        "downstream.shared-channel=aeron:udp?control=127.0.0.1:" + A_SHARED_CONTROL_PORT +
            "|control-mode=dynamic|fc=max");

    @BeforeAll
    static void start() throws Exception
    {
        distribution = Distribution.unpack(dir);
        idp = new MockIdentityProvider();
        aeronDir = new File(System.getProperty("java.io.tmpdir"), "meridian-tiers-" + UUID.randomUUID()).getPath();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED));
    }

    @AfterAll
    static void stop()
    {
        for (final Process process : STARTED)
        {
            process.destroyForcibly();
        }
        CloseHelper.quietCloseAll(driver, idp);
    }

    @Test
    void theSecondTierOutlivesAKilledFirstTierAndAKilledExchange() throws Exception
    {
        Process sim = startSim();
        Process a = startProxy("a", A_LINKS);
        final Process b = startProxy("b", List.of(
            "upstream.channel=" + udp(A_DOWNSTREAM_PORT),
            "upstream.control-stream-id=1011",
            "upstream.response-channel=" + udp(B_RESPONSE_PORTS[0]),
            "trading.channel=" + udp(A_DOWNSTREAM_PORT),
            "trading.control-stream-id=1011",
            "trading.response-channel=" + udp(B_RESPONSE_PORTS[1]),
            "upstream.service-token=" + TOKEN,
            "trading.service-token=" + TOKEN,
            "upstream.shared-channel=" + udp(B_RESPONSE_PORTS[2]) + "|control=127.0.0.1:" + A_SHARED_CONTROL_PORT));
        final Process c = startProxy("c", List.of(
            "upstream.channel=" + udp(A_DOWNSTREAM_PORT),
            "upstream.control-stream-id=1011",
            "upstream.response-channel=" + udp(C_RESPONSE_PORTS[0]),
            "trading.channel=" + udp(A_DOWNSTREAM_PORT),
            "trading.control-stream-id=1011",
            "trading.response-channel=" + udp(C_RESPONSE_PORTS[1]),
            "upstream.service-token=" + TOKEN,
            "trading.service-token=" + TOKEN));
        final int aPort = port(a);
        final int bPort = port(b);
        final int cPort = port(c);
        Loopback.awaitReady(aPort, "A", WAIT_MS);
        Loopback.awaitReady(bPort, "B", WAIT_MS);
        Loopback.awaitReady(cPort, "C", WAIT_MS);
        final String token = idp.token("tiers", AUDIENCE, Map.of("scope", "openid zenith/market zenith/trading"));

        // Many clients of B on one item: A asks the exchange for it once, and so does B ask A.
        final ZenithTestClient onA = new ZenithTestClient(aPort, token);
        final String market = subscribe(onA, "Markets").get(0).get("Code").asText();
        final String key = firstSecurity(onA, market);
        final long aBefore = upstreamSubscribes(aPort);
        final long bBefore = upstreamSubscribes(bPort);
        final List<ZenithTestClient> onB = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            // One user each: a user may hold only a few sessions.
            final ZenithTestClient client = new ZenithTestClient(bPort, idp.token("tiers-" + i, AUDIENCE,
                Map.of("scope", "openid zenith/market")));
            onB.add(client);
            assertEquals(key.substring(0, key.indexOf('.')), subscribe(client, "Security!" + key).get("Code").asText());
        }
        assertEquals(1, upstreamSubscribes(bPort) - bBefore, "B asked A once for twenty clients");
        assertEquals(1, upstreamSubscribes(aPort) - aBefore, "A asked the exchange once");
        final ZenithTestClient watcher = onB.get(0);
        watcher.await(frame -> ("Security!" + key).equals(frame.path("Topic").asText()) && frame.has("Data"),
            WAIT_MS);
        final ZenithTestClient onC = new ZenithTestClient(cPort, token);
        assertEquals(key.substring(0, key.indexOf('.')), subscribe(onC, "Security!" + key).get("Code").asText());
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (sharedTaken(bPort) == 0)
        {
            assertTrue(System.currentTimeMillis() < deadline, "B took nothing from A's shared stream");
            Thread.sleep(100);
        }
        assertEquals(0, sharedTaken(cPort), "C takes its updates on its own link");

        // A dies without a word; B's clients are told the item is unavailable, then get it in full once A is back.
        a.destroyForcibly();
        assertTrue(a.waitFor(30, TimeUnit.SECONDS));
        watcher.await(error("Security!" + key), WAIT_MS);
        onC.await(error("Security!" + key), WAIT_MS);
        a = startProxy("a", A_LINKS);
        port(a);
        final JsonNode again = watcher.await(fullSecurity(key), WAIT_MS);
        assertEquals(key.substring(0, key.indexOf('.')), again.get("Data").get("Code").asText());
        onC.await(fullSecurity(key), WAIT_MS);
        // B joins the shared stream of A's new incarnation, by itself.
        final long takenBefore = sharedTaken(bPort);
        final long rejoinDeadline = System.currentTimeMillis() + WAIT_MS;
        while (sharedTaken(bPort) == takenBefore)
        {
            assertTrue(System.currentTimeMillis() < rejoinDeadline, "B never took updates from the new A's stream");
            Thread.sleep(100);
        }

        // The exchange dies: through A, B's clients hear of it, and get full state when it is back.
        sim.destroyForcibly();
        assertTrue(sim.waitFor(30, TimeUnit.SECONDS));
        watcher.await(error("Security!" + key), WAIT_MS);
        sim = startSim();
        watcher.await(fullSecurity(key), WAIT_MS);
        onC.await(error("Security!" + key), WAIT_MS);
        onC.await(fullSecurity(key), WAIT_MS);
        // Every other client of B went through both outages too: a warning, full state, a warning, full state.
        for (final ZenithTestClient client : onB.subList(1, onB.size()))
        {
            client.await(error("Security!" + key), WAIT_MS);
            client.await(fullSecurity(key), WAIT_MS);
            client.await(error("Security!" + key), WAIT_MS);
            client.await(fullSecurity(key), WAIT_MS);
        }
        CloseHelper.quietCloseAll(onB);
        CloseHelper.quietCloseAll(onA, onC);
    }

    private static Predicate<JsonNode> error(final String topic)
    {
        return frame -> topic.equals(frame.path("Topic").asText()) && "Error".equals(frame.path("Action").asText());
    }

    private static Predicate<JsonNode> fullSecurity(final String key)
    {
        return frame -> ("Security!" + key).equals(frame.path("Topic").asText()) &&
            !frame.has("Action") && frame.path("Data").has("Code");
    }

    private static String firstSecurity(final ZenithTestClient client, final String market) throws Exception
    {
        client.send("{\"Controller\":\"Market\",\"Topic\":\"QuerySymbols\",\"TransactionID\":1,\"Data\":{" +
            "\"Market\":\"" + market + "\",\"SearchText\":\"\",\"IsPartial\":true,\"Count\":1}}");
        final JsonNode answer = client.await(frame -> 1 == frame.path("TransactionID").asLong(), WAIT_MS);
        final JsonNode symbol = answer.get("Data").get(0);
        return symbol.get("Code").asText() + "." + market;
    }

    private static Process startSim() throws Exception
    {
        final Path log = Files.createTempFile(logDir(), "sim", ".log");
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-Dmeridian.aeron.dir=" + aeronDir,
            "-Dmeridian.upstream.channel=" + udp(FEED_PORT),
            "-Dmeridian.trading.channel=" + udp(TRADING_PORT),
            "-Dmeridian.sim.service-token=" + TOKEN,
            "-Dmeridian.sim.markets=1",
            "-Dmeridian.sim.securities=10",
            "-Dmeridian.sim.update-rate=100",
            "-Dmeridian.sim.session-seconds=0",
            "-Dmeridian.upstream.heartbeat-interval-ms=200",
            "-Dmeridian.upstream.liveness-timeout-ms=2000",
            "-cp", distribution.home().resolve("lib") + File.separator + "*",
            "io.meridian.sim.TradingServerMain"));
        final ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
            .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("MERIDIAN_"));
        final Process process = builder.start();
        STARTED.add(process);
        return process;
    }

    private static Process startProxy(final String name, final List<String> links) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("--port", "0",
            "--set", "server.host=127.0.0.1",
            "--set", "server.name=Meridian-" + name,
            "--set", "server.drain-grace-seconds=0",
            "--set", "sim.enabled=false",
            "--set", "upstream.heartbeat-interval-ms=200",
            "--set", "upstream.liveness-timeout-ms=2000",
            "--set", "auth.jwks-url=" + idp.jwksUrl(),
            "--set", "auth.issuer=" + idp.issuer(),
            "--set", "auth.audience=" + AUDIENCE));
        for (final String link : links)
        {
            args.add("--set");
            args.add(link);
        }
        final Path log = Files.createTempFile(logDir(), "proxy-" + name, ".log");
        final Process process = distribution.command(args.toArray(new String[0]))
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        STARTED.add(process);
        LOGS.put(process, log);
        return process;
    }

    /**
     * @return where the processes' logs go: under the build's target directory, kept for a look after a failure.
     */
    private static Path logDir() throws java.io.IOException
    {
        return Files.createDirectories(Path.of("target", "proxy-tier-logs"));
    }

    private static final Map<Process, Path> LOGS = new java.util.concurrent.ConcurrentHashMap<>();

    private static int port(final Process process) throws Exception
    {
        return Distribution.awaitPort(LOGS.get(process), process);
    }


    private static long upstreamSubscribes(final int port) throws Exception
    {
        return counter(port, UPSTREAM_SUBSCRIBES);
    }

    private static long sharedTaken(final int port) throws Exception
    {
        return counter(port, SHARED_TAKEN);
    }

    /**
     * @return the value of the counter the pattern finds in the proxy's {@code /metrics}.
     */
    private static long counter(final int port, final Pattern counter) throws Exception
    {
        final String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .build(), HttpResponse.BodyHandlers.ofString()).body();
        final Matcher matcher = counter.matcher(metrics);
        assertTrue(matcher.find(), metrics);
        return (long)Double.parseDouble(matcher.group(1));
    }

    private static JsonNode subscribe(final ZenithTestClient client, final String topic) throws Exception
    {
        client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\"}");
        final JsonNode first = client.await(node -> topic.equals(node.path("Topic").asText()) &&
            (node.has("Data") || "Error".equals(node.path("Action").asText())), WAIT_MS);
        assertTrue(first.has("Data") && !"Error".equals(first.path("Action").asText()), first.toString());
        return first.get("Data");
    }
}
