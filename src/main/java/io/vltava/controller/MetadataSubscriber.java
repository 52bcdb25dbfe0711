package io.vltava.controller;

import io.vltava.metadata.ClusterState;
import io.vltava.metadata.MetadataCache;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/** Runs on every node: keeps the node's {@link MetadataCache} in step with the controller's replicated state. */
public final class MetadataSubscriber {
  private MetadataSubscriber() {}

  private record StateChanged(Replicator.SubscribeResponse<LWWRegister<ClusterState>> change) {}

  public static Behavior<Object> create(MetadataCache cache) {
    return Behaviors.setup(context ->
        DistributedData.<Object, LWWRegister<ClusterState>>withReplicatorMessageAdapter(replicator -> {
          replicator.subscribe(Controller.STATE_KEY, StateChanged::new);
          return Behaviors.receive(Object.class)
              .onMessage(StateChanged.class, m -> {
                if (m.change() instanceof Replicator.Changed<LWWRegister<ClusterState>> changed) {
                  cache.update(changed.get(Controller.STATE_KEY).getValue());
                }
                return Behaviors.same();
              })
              .build();
        }));
  }
}
