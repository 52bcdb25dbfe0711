package io.vltava.kafka;

import io.vltava.controller.Controller;
import io.vltava.controller.TopicOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * request, broker resources (a broker's dynamic configs, the replication throttles) another; any
 * other resource type is refused.
 */
final class ConfigAlterations {
  private ConfigAlterations() {}

  /** One resource of a request: the topic or broker change to make, or {@code refusal} when there is none to make. */
  record Resource(
      byte type, String name, Controller.ConfigChange change, Controller.BrokerConfigChange brokerChange,
      Errors refusal, String refusalMessage) {
    static Resource refused(byte type, String name, Errors error, String message) {
      return new Resource(type, name, null, null, error, message);
    }
  }

  record Result(byte type, String name, short errorCode, String errorMessage) {}

  /** {@code resource}, or its refusal when the principal may not ALTER_CONFIGS it (checked first, as Kafka). */
  static Resource authorized(BrokerServices broker, RequestContext context, Resource resource) {
    Errors error = broker.configAuthorizationError(context, org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS,
        resource.type(), resource.name());
    return error == Errors.NONE ? resource : Resource.refused(resource.type(), resource.name(), error, null);
  }

  private record ResourceId(byte type, String name) {
    static ResourceId of(Resource resource) {
      return new ResourceId(resource.type(), resource.name());
    }
  }

  /** The change of one resource: {@code replaceAll} drops the overrides the change does not name (AlterConfigs). */
  static Resource of(byte type, String name, Map<String, Optional<String>> changes, boolean replaceAll) {
    if (type == ConfigResource.Type.TOPIC.id()) {
      return new Resource(type, name, new Controller.ConfigChange(name, changes, replaceAll), null, Errors.NONE, null);
    }
    if (type != ConfigResource.Type.BROKER.id()) {
      return Resource.refused(type, name, Errors.INVALID_REQUEST, "Only topic and broker configs can be altered.");
    }
    int nodeId;
    try {
      nodeId = Integer.parseInt(name);
    } catch (NumberFormatException e) {
      nodeId = -1;
    }
    if (nodeId < 0) {
      return Resource.refused(type, name, Errors.INVALID_REQUEST,
          "Broker configs are altered per broker id; cluster-wide dynamic defaults are not supported.");
    }
    return new Resource(type, name, null, new Controller.BrokerConfigChange(nodeId, changes, replaceAll), Errors.NONE, null);
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
    List<Controller.ConfigChange> topicChanges = resources.stream().filter(r -> r.change() != null).map(Resource::change).toList();
    List<Controller.BrokerConfigChange> brokerChanges =
        resources.stream().filter(r -> r.brokerChange() != null).map(Resource::brokerChange).toList();
    CompletionStage<List<TopicOutcome>> topicOutcomes = topicChanges.isEmpty()
        ? CompletableFuture.completedFuture(List.of())
        : broker.changeTopics(replyTo -> new Controller.AlterTopicConfigs(topicChanges, validateOnly, replyTo));
    CompletionStage<List<Controller.Outcome>> brokerOutcomes = brokerChanges.isEmpty()
        ? CompletableFuture.completedFuture(List.of())
        : broker.changeMetadata(replyTo -> new Controller.AlterBrokerConfigs(brokerChanges, validateOnly, replyTo));
    return topicOutcomes.thenCombine(brokerOutcomes, (topics, brokers) -> {
      List<Result> results = new ArrayList<>();
      int nextTopic = 0;
      int nextBroker = 0;
      for (Resource resource : resources) {
        if (resource.change() != null) {
          TopicOutcome outcome = topics.get(nextTopic++);
          results.add(new Result(resource.type(), resource.name(), outcome.errorCode(), outcome.errorMessage()));
        } else if (resource.brokerChange() != null) {
          Controller.Outcome outcome = brokers.get(nextBroker++);
          results.add(new Result(resource.type(), resource.name(), outcome.errorCode(), outcome.errorMessage()));
        } else {
          results.add(new Result(resource.type(), resource.name(), resource.refusal().code(), resource.refusalMessage()));
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
