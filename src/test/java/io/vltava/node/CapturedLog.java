package io.vltava.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/** The lines one logger writes during each test, at least at {@code level}; register with @RegisterExtension. */
public final class CapturedLog implements BeforeEachCallback, AfterEachCallback {
  private final Logger logger;
  private final Level level;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private Level previousLevel;

  public CapturedLog(String loggerName, Level level) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    this.level = level;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    previousLevel = logger.getLevel();
    logger.setLevel(level);
    appender.start();
    logger.addAppender(appender);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    logger.detachAppender(appender);
    logger.setLevel(previousLevel);
  }

  /** The formatted messages logged so far. */
  public List<String> messages() {
    synchronized (appender.list) {
      return new ArrayList<>(appender.list).stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }
}
