package io.meridian.gateway;

import io.meridian.engine.CountersFile;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * What every Zenith session together sends and receives, counted on the IO threads: {@code sessions.frames-out}
 * and {@code sessions.bytes-out} (text frames written to the sockets, added once per drain of a session's outbox),
 * {@code sessions.frames-in} (frames received from clients).
 */
final class SessionTraffic
{
    final AtomicCounter framesOut;
    final AtomicCounter bytesOut;
    final AtomicCounter framesIn;

    /**
     * @param file where the server's counters live.
     */
    SessionTraffic(final CountersFile file)
    {
        framesOut = file.newTotal("sessions.frames-out");
        bytesOut = file.newTotal("sessions.bytes-out");
        framesIn = file.newTotal("sessions.frames-in");
    }
}
