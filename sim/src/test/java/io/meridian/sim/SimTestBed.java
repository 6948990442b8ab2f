package io.meridian.sim;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a server test runs on: an embedded media driver in a directory of its own, a client connected to it, clocks
 * that move only when the test moves them, and the links and servers the test opens, closed with the bed. IPC terms
 * are kept at 1 MiB so that a test meets back pressure soon.
 */
final class SimTestBed
{
    static final long MS = 1_000_000L;
    static final long EPOCH_MS = 1_710_460_800_000L;
    /** Response stream of the links a Feed Server test opens. */
    static final int FEED_RESPONSE_STREAM_ID = 2001;

    final CachedNanoClock nanoClock = new CachedNanoClock();
    final CachedEpochClock epochClock = new CachedEpochClock();
    final Aeron aeron;
    private final MediaDriver driver;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /**
     * Launch the driver and connect, and set the clocks to 1 s of monotonic time and {@link #EPOCH_MS}.
     *
     * @param dirPrefix start of the name of the driver's directory, which ends in a random UUID.
     */
    SimTestBed(final String dirPrefix)
    {
        final String dir = new File(System.getProperty("java.io.tmpdir"), dirPrefix + UUID.randomUUID()).getPath();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .ipcTermBufferLength(1024 * 1024)
            .threadingMode(ThreadingMode.SHARED));
        try
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
        nanoClock.update(1_000 * MS);
        epochClock.update(EPOCH_MS);
    }

    /**
     * @return Feed Server settings on this bed's client and clocks, with five securities.
     */
    FeedServer.Context feedContext()
    {
        return new FeedServer.Context()
            .aeron(aeron)
            .nanoClock(nanoClock)
            .epochClock(epochClock)
            .securities(5);
    }

    /**
     * @return a link to a Feed Server, closed with the bed; nothing is sent yet.
     */
    TestLink newFeedLink(final IntSupplier server, final long linkId, final String responseChannel)
    {
        return closeAtEnd(new TestLink(aeron, server, linkId, responseChannel, FEED_RESPONSE_STREAM_ID));
    }

    /**
     * @return a link to a Feed Server on IPC that has said Hello with no token and been accepted.
     */
    TestLink openFeedLink(final IntSupplier server, final long linkId)
    {
        final TestLink link = newFeedLink(server, linkId, "aeron:ipc");
        link.hello("");
        assertEquals("ACCEPTED", link.next().status());
        return link;
    }

    /**
     * @return the closeable, to be closed with the bed, before the servers.
     */
    <T extends AutoCloseable> T closeAtEnd(final T closeable)
    {
        closeables.add(closeable);
        return closeable;
    }

    /**
     * Close what the test opened, last first, then the servers in the order given, then the client and the driver.
     *
     * @param servers servers the test started; null for one it did not.
     */
    void close(final Agent... servers)
    {
        for (int i = closeables.size() - 1; i >= 0; i--)
        {
            CloseHelper.quietClose(closeables.get(i));
        }
        for (final Agent server : servers)
        {
            if (null != server)
            {
                server.onClose();
            }
        }
        CloseHelper.closeAll(aeron, driver);
    }
}
