package io.slotkeeper.internal.stage;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.InternalApi;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.source.SourceActor;
import io.slotkeeper.internal.source.SourceState;
import io.slotkeeper.javadsl.Control;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The stream stage of a replication source. It asks its {@link SourceActor} for a batch only when
 * its buffer runs low, and its buffer only drains as fast as downstream pulls: a consumer that
 * stops pulling stops all reads from the socket (and so, through TCP flow control, the walsender),
 * while the connection's keepalive timer runs on regardless.
 *
 * <p>At most one batch is requested at a time and a new one only once at most half a batch is left,
 * so the stage holds at most one and a half batches.
 */
@InternalApi
public final class ReplicationSourceStage
    extends AbstractGraphStageWithMaterializedValue<SourceShape<ChangeEnvelope>, Control> {
  private static final AtomicLong INSTANCES = new AtomicLong();

  private final SourceSettings settings;
  private final Outlet<ChangeEnvelope> out = Outlet.create("ReplicationSource.out");
  private final SourceShape<ChangeEnvelope> shape = SourceShape.of(out);

  public ReplicationSourceStage(SourceSettings settings) {
    this.settings = settings.validate();
  }

  @Override
  public SourceShape<ChangeEnvelope> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, Control> createLogicAndMaterializedValuePair(Attributes attributes) {
    SourceState state = new SourceState();
    ControlImpl control = new ControlImpl(settings.slot().name(), state);
    return Pair.create(new Logic(state, control), control);
  }

  /** What {@link StageHandle#deliver} hands over, as one message to the stage's thread. */
  private record Batch(List<ChangeEnvelope> envelopes, boolean answersDemand) {}

  private final class Logic extends GraphStageLogic {
    private final SourceState state;
    private final ControlImpl control;
    private final ArrayDeque<ChangeEnvelope> buffer = new ArrayDeque<>();
    private final int lowWater = Math.max(0, settings.stream().batchSize() / 2);
    private ActorRef<SourceActor.Command> sourceActor;
    private boolean requested;
    private boolean finishing;
    private Throwable failure;

    Logic(SourceState state, ControlImpl control) {
      super(shape);
      this.state = state;
      this.control = control;
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              if (!buffer.isEmpty()) {
                push(out, buffer.poll());
              }
              afterEmit();
            }
          });
    }

    @Override
    public void preStart() {
      AsyncCallback<Batch> onBatch = createAsyncCallback(this::onBatch);
      AsyncCallback<Done> onComplete = createAsyncCallback(d -> onFinish(null));
      AsyncCallback<Throwable> onFail = createAsyncCallback(this::onFinish);
      StageHandle handle =
          new StageHandle() {
            @Override
            public void deliver(List<ChangeEnvelope> envelopes, boolean answersDemand) {
              onBatch.invoke(new Batch(envelopes, answersDemand));
            }

            @Override
            public void complete() {
              onComplete.invoke(Done.getInstance());
            }

            @Override
            public void fail(Throwable error) {
              onFail.invoke(error);
            }
          };
      CompletableFuture<SourceActor.Refs> refs = control.refs();
      String name = "slotkeeper-" + settings.slot().name() + "-" + INSTANCES.incrementAndGet();
      // A system actor: a typed ActorSystem (the usual case) allows no top-level user actors
      // from outside its guardian, and the source must not depend on how the user built theirs.
      sourceActor =
          Adapter.toTyped(materializer().system())
              .systemActorOf(
                  SourceActor.create(settings, handle, state, refs, control::markShutdown),
                  name,
                  // Beside its connection actor: a batch can then go from the socket to this
                  // stage on the thread that saw it arrive (WakeTrampoline).
                  DispatcherSelector.fromConfig(settings.connectionDispatcher()));
    }

    private void onBatch(Batch batch) {
      if (batch.answersDemand()) {
        requested = false;
      }
      buffer.addAll(batch.envelopes());
      if (isAvailable(out) && !buffer.isEmpty()) {
        push(out, buffer.poll());
      }
      afterEmit();
    }

    private void onFinish(Throwable error) {
      finishing = true;
      if (error != null && failure == null) {
        failure = error;
      }
      afterEmit();
    }

    /** Completes once the buffer is drained after a finish; otherwise asks for more when low. */
    private void afterEmit() {
      if (finishing) {
        if (buffer.isEmpty()) {
          if (failure != null) {
            failStage(failure);
          } else {
            completeStage();
          }
        }
        return;
      }
      if (!requested && buffer.size() <= lowWater && (isAvailable(out) || !buffer.isEmpty())) {
        requested = true;
        sourceActor.tell(SourceActor.Demand.INSTANCE);
      }
    }

    @Override
    public void postStop() {
      if (sourceActor != null) {
        sourceActor.tell(SourceActor.StageStopped.INSTANCE);
      }
    }
  }
}
