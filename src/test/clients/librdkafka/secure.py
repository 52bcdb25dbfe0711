"""librdkafka over SASL_SSL, through Debian's python3-confluent-kafka.

Run by io.vltava.security.SecureExampleTest as
  secure.py BOOTSTRAP CA_PEM MECHANISM USER PASSWORD TOPIC DENIED_TOPIC
It produces three records to partition 0 of TOPIC, reads them back, then tries to produce to
DENIED_TOPIC, which the user may not write, and prints one JSON line
{"consumed": [...], "deniedProduce": "<the Kafka error librdkafka reported>"}; any other failure,
or a produce to DENIED_TOPIC that succeeds, raises, so the process exits non-zero with a traceback.
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

STEP_TIMEOUT_S = 60


def main(bootstrap, ca, mechanism, user, password, topic, denied_topic):
    secure = {
        "bootstrap.servers": bootstrap,
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": mechanism,
        "sasl.username": user,
        "sasl.password": password,
        "ssl.ca.location": ca,
    }
    failures = []
    producer = Producer(secure)
    for n in range(3):
        producer.produce(topic, value=f"librdkafka-{n}".encode(), partition=0,
                         on_delivery=lambda err, msg: failures.append(str(err)) if err else None)
    if producer.flush(STEP_TIMEOUT_S) != 0 or failures:
        raise RuntimeError(f"records not delivered: {failures}")
    consumer = Consumer({**secure, "group.id": "secure-librdkafka", "enable.auto.commit": False})
    consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    values = []
    deadline = time.time() + STEP_TIMEOUT_S
    while len(values) < 3 and time.time() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error():
            raise RuntimeError(str(message.error()))
        values.append(message.value().decode())
    consumer.close()
    print(json.dumps({"consumed": values, "deniedProduce": denied_produce(producer, denied_topic)}), flush=True)


def denied_produce(producer, topic):
    """The error of a produce to a topic the user may not write (e.g. TOPIC_AUTHORIZATION_FAILED)."""
    errors = []
    producer.produce(topic, value=b"denied", on_delivery=lambda err, msg: errors.append(err))
    producer.flush(STEP_TIMEOUT_S)
    if not errors:
        raise RuntimeError(f"the produce to {topic} got no answer")
    if errors[0] is None:
        raise RuntimeError(f"the produce to {topic} succeeded")
    return errors[0].name()


if __name__ == "__main__":
    main(*sys.argv[1:8])
