package dev.zerok.chaos.mock;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures every log line of the relay's packages at TRACE while a mock topology is open (the
 * relays run in this JVM, so they share its loggers). The captured lines do not go to the console.
 * Thread-safe.
 */
final class RelayLogCapture implements AutoCloseable {
    /** The relay application and the kernel's relay-side protocol machine. */
    static final List<String> RELAY_LOGGERS = List.of("dev.zerok.relayapp", "dev.zerok.kernel.relay");

    private final List<String> lines = new ArrayList<>();
    private final List<Logger> loggers = new ArrayList<>();
    private final List<Level> previousLevels = new ArrayList<>();
    private final List<Boolean> previousAdditive = new ArrayList<>();
    private final AppenderBase<ILoggingEvent> appender;

    /** @throws IllegalStateException if SLF4J is not bound to logback */
    RelayLogCapture() {
        appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                StringBuilder line = new StringBuilder().append(event.getLevel()).append(' ')
                        .append(event.getLoggerName()).append(" - ").append(event.getFormattedMessage());
                for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                    line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
                }
                synchronized (lines) {
                    lines.add(line.toString());
                }
            }
        };
        for (String name : RELAY_LOGGERS) {
            if (!(LoggerFactory.getLogger(name) instanceof Logger logger)) {
                throw new IllegalStateException("relay logs can be captured only when SLF4J is bound to logback");
            }
            appender.setContext(logger.getLoggerContext());
            loggers.add(logger);
        }
        appender.setName("zerok-chaos-relay-capture");
        appender.start();
        for (Logger logger : loggers) {
            previousLevels.add(logger.getLevel());
            previousAdditive.add(logger.isAdditive());
            logger.addAppender(appender);
            logger.setLevel(Level.TRACE);
            logger.setAdditive(false);
        }
    }

    /** The lines so far: level, logger, formatted message (and throwable summaries). */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < loggers.size(); i++) {
            Logger logger = loggers.get(i);
            logger.detachAppender(appender);
            logger.setLevel(previousLevels.get(i));
            logger.setAdditive(previousAdditive.get(i));
        }
        loggers.clear();
        appender.stop();
    }
}
