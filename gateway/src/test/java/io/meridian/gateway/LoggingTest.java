package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoggingTest
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @AfterEach
    void restore() throws Exception
    {
        // Back to the test configuration for the tests that follow in this JVM.
        final ch.qos.logback.classic.LoggerContext context =
            (ch.qos.logback.classic.LoggerContext)LoggerFactory.getILoggerFactory();
        context.reset();
        new ch.qos.logback.classic.util.ContextInitializer(context).autoConfig();
    }

    @Test
    void jsonLinesCarryEveryFieldAndEscapeTheMessage() throws Exception
    {
        Logging.configure("json", "info", out);
        final Logger log = LoggerFactory.getLogger("io.meridian.test.Json");
        log.info("a \"quoted\"\nmessage");
        log.debug("not at info");
        log.error("it failed", new IllegalStateException("boom"));

        final String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, out.toString(StandardCharsets.UTF_8));
        final JsonNode first = ZenithTestClient.JSON.readTree(lines[0]);
        assertEquals("INFO", first.get("level").asText());
        assertEquals("io.meridian.test.Json", first.get("logger").asText());
        assertEquals("a \"quoted\"\nmessage", first.get("message").asText());
        assertEquals(Thread.currentThread().getName(), first.get("thread").asText());
        assertTrue(first.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"),
            first.get("time").asText());
        assertFalse(first.has("error"));
        final JsonNode second = ZenithTestClient.JSON.readTree(lines[1]);
        assertEquals("ERROR", second.get("level").asText());
        assertTrue(second.get("error").asText().startsWith("java.lang.IllegalStateException: boom"),
            second.get("error").asText());
    }

    @Test
    void plainLinesAndTheLevelSetting()
    {
        Logging.configure("plain", "warn", out);
        final Logger log = LoggerFactory.getLogger("io.meridian.test.Plain");
        log.info("below the level");
        log.warn("careful");
        java.util.logging.Logger.getLogger("io.meridian.test.Jul").severe("from java.util.logging");

        final String text = out.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("below the level"), text);
        assertTrue(text.matches("(?s)\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} " +
            "WARN  io\\.meridian\\.test\\.Plain - careful\n.*"), text);
        assertTrue(text.contains("ERROR io.meridian.test.Jul - from java.util.logging"), text);
    }

    @Test
    void warningsAndErrorsAreCounted()
    {
        Logging.configure("plain", "error", out);
        final long warnings = Logging.warnings();
        final long errors = Logging.errors();
        final Logger log = LoggerFactory.getLogger("io.meridian.test.Count");
        log.warn("one");
        log.error("two");
        log.error("three");

        assertEquals(warnings, Logging.warnings(), "below the level: not logged, not counted");
        assertEquals(errors + 2, Logging.errors());
    }
}
