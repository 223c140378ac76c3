package io.slotkeeper.bench.debezium;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Debezium embedded reading an existing pgoutput slot and writing each change event's value as one
 * line of JSON to stdout, as {@code slotkeeper stream} writes its JSON Lines: the peer users would
 * run instead. The bench (slotkeeper-bench's {@code DebeziumContender}) starts it in its own JVM,
 * reads the pipe and counts the lines.
 *
 * <p>Arguments: host port database user password slot publication. Settings chosen to match what
 * the other contenders do: no snapshot (the slot already exists and the backlog is after it),
 * offsets in memory (the slot's confirmed position is what matters), JSON without the schema part
 * (the program's lines have none), events written in the batches Debezium hands over, one flush per
 * batch, and the batch marked processed after the flush (Debezium then confirms to the server).
 */
public final class DebeziumPeer {
  private DebeziumPeer() {}

  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    p.setProperty("name", "bench");
    p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
    p.setProperty("offset.flush.interval.ms", "1000");
    p.setProperty("database.hostname", args[0]);
    p.setProperty("database.port", args[1]);
    p.setProperty("database.dbname", args[2]);
    p.setProperty("database.user", args[3]);
    p.setProperty("database.password", args[4]);
    p.setProperty("topic.prefix", "bench");
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("slot.name", args[5]);
    p.setProperty("publication.name", args[6]);
    p.setProperty("publication.autocreate.mode", "disabled");
    p.setProperty("snapshot.mode", "no_data");
    p.setProperty("converter.schemas.enable", "false");

    OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
    byte[] newline = {'\n'};
    DebeziumEngine<ChangeEvent<String, String>> engine =
        DebeziumEngine.create(Json.class)
            .using(p)
            .notifying(
                (List<ChangeEvent<String, String>> records,
                    DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) -> {
                  try {
                    for (ChangeEvent<String, String> r : records) {
                      if (r.value() != null) {
                        out.write(r.value().getBytes(StandardCharsets.UTF_8));
                        out.write(newline);
                      }
                    }
                    out.flush();
                  } catch (IOException e) {
                    throw new InterruptedException("stdout closed: " + e.getMessage());
                  }
                  for (ChangeEvent<String, String> r : records) {
                    committer.markProcessed(r);
                  }
                  committer.markBatchFinished();
                })
            .using(
                (success, message, error) -> {
                  if (!success) {
                    System.err.println("debezium stopped: " + message);
                    if (error != null) {
                      error.printStackTrace();
                    }
                    System.exit(2);
                  }
                })
            .build();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    executor.execute(engine);
    // The bench ends the process (destroy): SIGTERM runs this hook, which closes the engine.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    engine.close();
                  } catch (IOException e) {
                    // Exiting anyway.
                  }
                }));
  }
}
