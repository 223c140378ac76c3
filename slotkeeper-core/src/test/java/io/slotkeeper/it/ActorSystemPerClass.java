package io.slotkeeper.it;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One actor system per integration-test class, the way a user runs sources in their own system.
 * Failsafe runs the classes one after another, so the shared field holds one class's system at a
 * time.
 */
abstract class ActorSystemPerClass {
  static ActorTestKit kit;

  @BeforeAll
  static void startKit() {
    kit = ActorTestKit.create();
  }

  @AfterAll
  static void stopKit() {
    kit.shutdownTestKit();
  }
}
