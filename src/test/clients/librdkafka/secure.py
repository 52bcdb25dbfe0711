"""librdkafka over SASL_SSL, through Debian's python3-confluent-kafka.

Run by io.vltava.security.SecureExampleTest as
  secure.py BOOTSTRAP CA_PEM MECHANISM USER PASSWORD TOPIC
It produces three records to partition 0 of TOPIC, reads them back and prints one JSON line
{"consumed": [...]}; any failure raises, so the process exits non-zero with a traceback.
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

STEP_TIMEOUT_S = 60


def main(bootstrap, ca, mechanism, user, password, topic):
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
    print(json.dumps({"consumed": values}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:7])
