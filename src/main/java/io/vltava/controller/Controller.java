package io.vltava.controller;

import io.vltava.metadata.BrokerInfo;
import io.vltava.metadata.CborSerializable;
import io.vltava.metadata.ClusterState;
import io.vltava.metadata.MetadataCache;
import io.vltava.metadata.TopicState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The one actor that changes cluster metadata: topics, their partitions and configs, and the
 * registered brokers. Each change is validated against the current state, stored, and only then
 * published to the {@link MetadataCache} and answered, so nobody acts on a change that could be lost.
 */
public final class Controller extends AbstractBehavior<Controller.Command> {

  public sealed interface Command extends CborSerializable {}

  /** {@code partitions} or {@code replicationFactor} of -1 take the broker defaults. */
  public record NewTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {}

  public record CreateTopics(List<NewTopic> topics, boolean validateOnly, ActorRef<List<TopicOutcome>> replyTo)
      implements Command {}

  public record DeleteTopics(List<String> names, ActorRef<List<TopicOutcome>> replyTo) implements Command {}

  public record PartitionCount(String topic, int count) {}

  public record CreatePartitions(List<PartitionCount> topics, boolean validateOnly, ActorRef<List<TopicOutcome>> replyTo)
      implements Command {}

  /** Sets (value present) or removes (value empty) config overrides; {@code replaceAll} drops every other override first. */
  public record ConfigChange(String topic, Map<String, Optional<String>> changes, boolean replaceAll) {}

  public record AlterTopicConfigs(List<ConfigChange> changes, boolean validateOnly, ActorRef<List<TopicOutcome>> replyTo)
      implements Command {}

  /** Records a broker's Kafka endpoint; replies once the change is stored and published. */
  public record RegisterBroker(BrokerInfo broker, ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

  /** Reserves {@code count} producer ids; replies with the first. */
  public record AllocateProducerIds(int count, ActorRef<Long> replyTo) implements Command {}

  /** What the controller needs besides its state: defaults and the topic-config rules. */
  public record Settings(
      int nodeId, int defaultPartitions, int defaultReplicationFactor, Consumer<Map<String, String>> topicConfigValidator) {}

  private final Settings settings;
  private final MetadataFile file;
  private final MetadataCache cache;
  private ClusterState state;

  public static Behavior<Command> create(Settings settings, Path dataDir, MetadataCache cache) {
    return Behaviors.setup(context -> new Controller(context, settings, new MetadataFile(dataDir), cache));
  }

  private Controller(ActorContext<Command> context, Settings settings, MetadataFile file, MetadataCache cache) {
    super(context);
    this.settings = settings;
    this.file = file;
    this.cache = cache;
    ClusterState stored = file.load();
    if (stored.version() == 0) {
      stored = ClusterState.initial(org.apache.kafka.common.Uuid.randomUuid().toString());
      file.store(stored);
    }
    this.state = stored;
    cache.update(state, settings.nodeId());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(RegisterBroker.class, m -> {
          commit(state.withBroker(m.broker()));
          m.replyTo().tell(org.apache.pekko.Done.getInstance());
          return this;
        })
        .onMessage(AllocateProducerIds.class, m -> {
          long first = state.nextProducerId();
          commit(state.withProducerIdsAllocated(m.count()));
          m.replyTo().tell(first);
          return this;
        })
        .onMessage(CreateTopics.class, this::onCreateTopics)
        .onMessage(DeleteTopics.class, this::onDeleteTopics)
        .onMessage(CreatePartitions.class, this::onCreatePartitions)
        .onMessage(AlterTopicConfigs.class, this::onAlterTopicConfigs)
        .build();
  }

  private Behavior<Command> onCreateTopics(CreateTopics request) {
    return applyEach(request.topics(), NewTopic::name, request.validateOnly(), request.replyTo(), (next, topic) -> {
      settings.topicConfigValidator().accept(topic.configs());
      return next.newTopic(
          topic.name(),
          topic.partitions() == -1 ? settings.defaultPartitions() : topic.partitions(),
          topic.replicationFactor() == -1 ? settings.defaultReplicationFactor() : topic.replicationFactor(),
          topic.configs(),
          UUID.randomUUID());
    });
  }

  private Behavior<Command> onDeleteTopics(DeleteTopics request) {
    List<TopicOutcome> outcomes = new ArrayList<>();
    ClusterState next = state;
    for (String name : request.names()) {
      try {
        TopicState deleted = next.requireTopic(name);
        next = next.withoutTopic(name);
        outcomes.add(TopicOutcome.ok(deleted));
      } catch (RuntimeException e) {
        outcomes.add(TopicOutcome.failed(name, e));
      }
    }
    commit(next);
    request.replyTo().tell(outcomes);
    return this;
  }

  private Behavior<Command> onCreatePartitions(CreatePartitions request) {
    return applyEach(request.topics(), PartitionCount::topic, request.validateOnly(), request.replyTo(),
        (next, change) -> next.withPartitionCount(change.topic(), change.count()));
  }

  private Behavior<Command> onAlterTopicConfigs(AlterTopicConfigs request) {
    return applyEach(request.changes(), ConfigChange::topic, request.validateOnly(), request.replyTo(), (next, change) -> {
      TopicState topic = next.requireTopic(change.topic());
      Map<String, String> configs = change.replaceAll() ? new HashMap<>() : new HashMap<>(topic.configs());
      change.changes().forEach((key, value) -> {
        if (value.isPresent()) {
          configs.put(key, value.get());
        } else {
          configs.remove(key);
        }
      });
      settings.topicConfigValidator().accept(configs);
      return topic.withConfigs(configs);
    });
  }

  /** A change to one topic, computed against the state that already holds the request's earlier changes. */
  private interface TopicChange<T> {
    TopicState apply(ClusterState next, T item);
  }

  private <T> Behavior<Command> applyEach(
      List<T> items,
      java.util.function.Function<T, String> nameOf,
      boolean validateOnly,
      ActorRef<List<TopicOutcome>> replyTo,
      TopicChange<T> change) {
    List<TopicOutcome> outcomes = new ArrayList<>();
    ClusterState next = state;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (T item : items) {
      String name = nameOf.apply(item);
      try {
        if (!seen.add(name)) {
          throw new InvalidRequestException("Topic '" + name + "' appears more than once in the request.");
        }
        TopicState topic = change.apply(next, item);
        next = next.withTopic(topic);
        outcomes.add(TopicOutcome.ok(topic));
      } catch (RuntimeException e) {
        outcomes.add(TopicOutcome.failed(name, e));
      }
    }
    if (!validateOnly) {
      commit(next);
    }
    replyTo.tell(outcomes);
    return this;
  }

  private Behavior<Command> commit(ClusterState next) {
    if (next != state) {
      file.store(next);
      state = next;
      cache.update(next, settings.nodeId());
    }
    return this;
  }
}
