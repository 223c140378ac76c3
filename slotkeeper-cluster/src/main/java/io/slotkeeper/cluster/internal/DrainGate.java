package io.slotkeeper.cluster.internal;

import io.slotkeeper.ChangeEnvelope;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * Sits right after the replication source and lets a hand-over drain the consumer while the source
 * stays up.
 *
 * <p>Why not {@code Control.stop()}: the source stage completes as soon as its own buffer is empty,
 * and the source shuts down (final status update, connection closed) the moment its stage stops,
 * while the consumer may still hold envelopes in buffering or asynchronous stages; their
 * acknowledgements would then miss the final status update, and the next node would deliver
 * acknowledged transactions again. This gate instead completes only its downstream, at a
 * transaction boundary, and keeps its upstream (the source stage) open without pulling, so the
 * source keeps its connection until the consumer's stream has finished and every acknowledgement
 * has reached it; the singleton then shuts the source down itself.
 */
final class DrainGate
    extends AbstractGraphStageWithMaterializedValue<
        FlowShape<ChangeEnvelope, ChangeEnvelope>, DrainGate.Handle> {

  /** Materialized value: starts the drain. */
  interface Handle {
    /**
     * Completes the downstream after the transaction being passed on, if any; envelopes after it
     * stay in the source (unacknowledged, so the next run gets them). Completes when the downstream
     * has been completed (not when it has finished processing).
     */
    CompletionStage<Done> drain();
  }

  private final Inlet<ChangeEnvelope> in = Inlet.create("DrainGate.in");
  private final Outlet<ChangeEnvelope> out = Outlet.create("DrainGate.out");
  private final FlowShape<ChangeEnvelope, ChangeEnvelope> shape = FlowShape.of(in, out);

  @Override
  public FlowShape<ChangeEnvelope, ChangeEnvelope> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, Handle> createLogicAndMaterializedValuePair(Attributes attributes) {
    CompletableFuture<Done> drained = new CompletableFuture<>();
    Logic logic = new Logic(drained);
    return Pair.create(
        logic,
        () -> {
          logic.requestDrain();
          return drained;
        });
  }

  private final class Logic extends GraphStageLogic {
    private final CompletableFuture<Done> drained;
    // Created here, not in preStart: a callback invoked before the stage has started is kept
    // until it has, so a drain requested right after materialization is not lost.
    private final AsyncCallback<Done> onDrain = createAsyncCallback(d -> startDrain());
    private boolean insideTransaction;
    private boolean draining;

    Logic(CompletableFuture<Done> drained) {
      super(shape);
      this.drained = drained;
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              ChangeEnvelope env = grab(in);
              if (isClosed(out)) {
                // Pulled before the drain closed the consumer side: never seen by the consumer,
                // never
                // acknowledged, so the next run delivers it.
                return;
              }
              if (env.kind() == ChangeEnvelope.Kind.BEGIN) {
                insideTransaction = true;
              } else if (env.kind() == ChangeEnvelope.Kind.COMMIT) {
                insideTransaction = false;
              }
              push(out, env);
              if (draining && !insideTransaction) {
                closeDownstream();
              }
            }

            @Override
            public void onUpstreamFinish() {
              drained.complete(Done.getInstance());
              completeStage();
            }

            @Override
            public void onUpstreamFailure(Throwable ex) {
              drained.complete(Done.getInstance());
              failStage(ex);
            }
          });
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              pull(in);
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              // The consumer is gone (it failed or cancelled): the source has nothing left to do.
              drained.complete(Done.getInstance());
              cancelStage(cause);
            }
          });
    }

    /** From any thread. */
    void requestDrain() {
      onDrain.invoke(Done.getInstance());
    }

    private void startDrain() {
      if (draining || isClosed(out)) {
        return;
      }
      draining = true;
      if (!insideTransaction) {
        closeDownstream();
      }
      // Otherwise the rest of the open transaction still passes (the downstream keeps pulling),
      // and the gate closes after its Commit.
    }

    /** Completes the consumer side only; the source side stays open and unpulled. */
    private void closeDownstream() {
      complete(out);
      drained.complete(Done.getInstance());
    }
  }
}
