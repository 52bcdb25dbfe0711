package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.controller.TopicOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;

/**
 * What AlterConfigs and IncrementalAlterConfigs share: topic resources become one controller
 * request; any other resource type is refused, since broker settings live in the node's config file.
 */
final class ConfigAlterations {
  private ConfigAlterations() {}

  /** One resource of a request: the change to make, or {@code refusal} when there is none to make. */
  record Resource(byte type, String name, Controller.ConfigChange change, Errors refusal, String refusalMessage) {
    static Resource topic(String name, Controller.ConfigChange change) {
      return new Resource(ConfigResource.Type.TOPIC.id(), name, change, Errors.NONE, null);
    }

    static Resource refused(byte type, String name, Errors error, String message) {
      return new Resource(type, name, null, error, message);
    }
  }

  record Result(byte type, String name, short errorCode, String errorMessage) {}

  private record ResourceId(byte type, String name) {
    static ResourceId of(Resource resource) {
      return new ResourceId(resource.type(), resource.name());
    }
  }

  static Resource nonTopic(byte type, String name) {
    return Resource.refused(type, name, Errors.INVALID_REQUEST,
        "Only topic configs can be altered; broker settings are read from the node's configuration file.");
  }

  /**
   * Kafka's checks of a resource before its changes are considered: each key at most once, a value
   * for every key that is set ({@code keysWithoutValue}), and a valid name for a topic; empty when
   * all hold.
   */
  static Optional<Resource> malformed(byte type, String name, List<String> keys, List<String> keysWithoutValue) {
    if (!Repeated.in(keys).isEmpty()) {
      return Optional.of(Resource.refused(type, name, Errors.INVALID_REQUEST, "Error due to duplicate config keys"));
    }
    if (!keysWithoutValue.isEmpty()) {
      return Optional.of(Resource.refused(type, name, Errors.INVALID_REQUEST,
          "Null value not supported for : " + String.join(", ", keysWithoutValue)));
    }
    if (type == ConfigResource.Type.TOPIC.id()) {
      if (name.isEmpty()) {
        return Optional.of(Resource.refused(type, name, Errors.INVALID_REQUEST, "Default topic resources are not allowed."));
      }
      try {
        Topic.validate(name);
      } catch (InvalidTopicException e) {
        return Optional.of(Resource.refused(type, name, Errors.INVALID_TOPIC_EXCEPTION, e.getMessage()));
      }
    }
    return Optional.empty();
  }

  static CompletionStage<List<Result>> apply(BrokerServices broker, List<Resource> requested, boolean validateOnly) {
    List<Resource> resources = refuseRepeated(requested);
    List<Controller.ConfigChange> changes = resources.stream().filter(r -> r.change() != null).map(Resource::change).toList();
    CompletionStage<List<TopicOutcome>> outcomes = changes.isEmpty()
        ? CompletableFuture.completedFuture(List.of())
        : broker.changeTopics(replyTo -> new Controller.AlterTopicConfigs(changes, validateOnly, replyTo));
    return outcomes.thenApply(topicOutcomes -> {
      List<Result> results = new ArrayList<>();
      int next = 0;
      for (Resource resource : resources) {
        if (resource.change() == null) {
          results.add(new Result(resource.type(), resource.name(), resource.refusal().code(), resource.refusalMessage()));
        } else {
          TopicOutcome outcome = topicOutcomes.get(next++);
          results.add(new Result(resource.type(), resource.name(), outcome.errorCode(), outcome.errorMessage()));
        }
      }
      return results;
    });
  }

  /** As Kafka: a resource named twice is refused both times, so neither change wins silently. */
  private static List<Resource> refuseRepeated(List<Resource> resources) {
    Set<ResourceId> repeated = Repeated.in(resources.stream().map(ResourceId::of).toList());
    return resources.stream()
        .map(r -> repeated.contains(ResourceId.of(r))
            ? Resource.refused(r.type(), r.name(), Errors.INVALID_REQUEST, "Each resource must appear at most once.")
            : r)
        .toList();
  }
}
