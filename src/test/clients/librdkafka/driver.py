"""The client-matrix scenario for librdkafka, through Debian's python3-confluent-kafka.

Run by io.vltava.clients.ClientMatrixTest as
  driver.py produce-and-group|resume|read-compacted BOOTSTRAP TOPIC GROUP BASE_TIMESTAMP_MS CODEC,CODEC,...
It writes the records MatrixPlan.java describes and prints JSON lines on stdout (the same events as
KafkaClientsDriver.java); any failure raises, so the process exits non-zero with a traceback.
"""
import json
import sys
import time

import confluent_kafka
from confluent_kafka import OFFSET_BEGINNING, OFFSET_END, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

PARTITIONS = 3
RECORDS_PER_CODEC = 40
PHASE_TWO_RECORDS = 20
DESCRIBED_CONFIG = "retention.ms"
DESCRIBED_CONFIG_VALUE = "86400000"
FILLER = "vltava" * 10
STEP_TIMEOUT_S = 60
POLL_S = 0.1


def emit(**fields):
    print(json.dumps(fields), flush=True)


def check(condition, failure):
    if not condition:
        raise RuntimeError(failure)


class Driver:
    def __init__(self, bootstrap, topic, group, base_timestamp_ms, codecs):
        self.bootstrap = bootstrap
        self.topic = topic
        self.group = group
        self.base = base_timestamp_ms
        self.codecs = codecs

    def records(self, codec, phase):
        first = self.codecs.index(codec) * RECORDS_PER_CODEC if phase == 1 else len(self.codecs) * RECORDS_PER_CODEC
        count = RECORDS_PER_CODEC if phase == 1 else PHASE_TWO_RECORDS
        return [(f"key-{n}", f"value-{n}-{codec}-{FILLER}", [("seq", str(n)), ("codec", codec)], self.base + n)
                for n in range(first, first + count)]

    def timestamp_target(self):
        return self.base + len(self.codecs) * RECORDS_PER_CODEC // 2

    def config(self, client_id, **extra):
        return {"bootstrap.servers": self.bootstrap, "client.id": client_id, **extra}

    def produce_and_group(self):
        admin = AdminClient(self.config("admin"))
        topic = NewTopic(self.topic, num_partitions=PARTITIONS, replication_factor=1,
                         config={DESCRIBED_CONFIG: DESCRIBED_CONFIG_VALUE})
        admin.create_topics([topic])[self.topic].result(STEP_TIMEOUT_S)
        emit(event="created", topic=self.topic)

        members = {"member-a": self.group_member("member-a"), "member-b": self.group_member("member-b")}
        for member in members.values():
            member.subscribe([self.topic])
        self.await_shared_assignment(members)
        for codec in self.codecs:
            self.produce(codec, 1)
        expected = len(self.codecs) * RECORDS_PER_CODEC
        consumed = 0
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while consumed < expected:
            check(time.monotonic() < deadline, f"group read {consumed} of {expected} records")
            for name, member in members.items():
                consumed += emit_records(member.consume(100, POLL_S), "group", name)
        for name, member in members.items():
            emit(event="assigned", member=name, partitions=sorted(tp.partition for tp in member.assignment()))
        for member in members.values():
            member.commit(asynchronous=False)
            for tp in member.committed(member.assignment(), timeout=STEP_TIMEOUT_S):
                emit(event="committed", partition=tp.partition, offset=tp.offset)
            member.close()
        self.produce("none", 2)

    def resume(self):
        member = self.group_member("member-resumed")
        member.subscribe([self.topic])
        self.read_to_end(member, "resume", "member-resumed")
        member.close()

        reader = self.standalone()
        partitions = self.read_from_beginning(reader, "beginning")

        query = [TopicPartition(self.topic, p, self.timestamp_target()) for p in partitions]
        found = reader.offsets_for_times(query, timeout=STEP_TIMEOUT_S)
        starts = []
        for tp in sorted(found, key=lambda tp: tp.partition):
            check(tp.error is None, f"offsets_for_times {tp}")
            offset = tp.offset if tp.offset >= 0 else -1
            emit(event="offsetForTime", partition=tp.partition, offset=offset)
            starts.append(TopicPartition(self.topic, tp.partition, offset if offset >= 0 else OFFSET_END))
        reader.assign(starts)
        self.read_to_end(reader, "fromTime", "")
        reader.close()

        admin = AdminClient(self.config("admin"))
        self.describe(admin)
        admin.delete_topics([self.topic])[self.topic].result(STEP_TIMEOUT_S)
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while self.topic in admin.list_topics(timeout=STEP_TIMEOUT_S).topics:
            check(time.monotonic() < deadline, "topic still listed after deletion")
        emit(event="deleted", topic=self.topic)

    def read_compacted(self):
        """Reads the (already written and compacted) topic from the beginning."""
        reader = self.standalone()
        self.read_from_beginning(reader, "compacted")
        reader.close()

    def read_from_beginning(self, reader, phase):
        """Assigns every partition of the topic, reads them from the beginning to their ends and returns them."""
        partitions = sorted(reader.list_topics(self.topic, timeout=STEP_TIMEOUT_S).topics[self.topic].partitions)
        reader.assign([TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in partitions])
        self.read_to_end(reader, phase, "")
        return partitions

    def describe(self, admin):
        metadata = admin.list_topics(self.topic, timeout=STEP_TIMEOUT_S).topics[self.topic]
        check(metadata.error is None, f"describing {self.topic}: {metadata.error}")
        resource = ConfigResource("topic", self.topic)
        config = admin.describe_configs([resource])[resource].result(STEP_TIMEOUT_S)
        emit(event="described", partitions=len(metadata.partitions),
             leaders=sorted({p.leader for p in metadata.partitions.values()}),
             config=config[DESCRIBED_CONFIG].value)

    def produce(self, codec, phase):
        producer = Producer(self.config(f"producer-{codec}", **{
            "enable.idempotence": True, "acks": "all", "compression.type": codec}))
        records = self.records(codec, phase)
        delivered = [None] * len(records)

        def on_delivery(index):
            def report(err, msg):
                check(err is None, f"delivery of record {index} failed: {err}")
                delivered[index] = (msg.partition(), msg.offset())
            return report

        for i, (key, value, headers, timestamp) in enumerate(records):
            producer.produce(self.topic, key=key, value=value, headers=headers, timestamp=timestamp,
                             on_delivery=on_delivery(i))
        check(producer.flush(STEP_TIMEOUT_S) == 0, "records still queued after flush")
        for (key, value, headers, timestamp), (partition, offset) in zip(records, delivered):
            emit(event="produced", phase=phase, codec=codec, partition=partition, offset=offset, key=key,
                 value=value, headers=[list(h) for h in headers], timestamp=timestamp)

    def await_shared_assignment(self, members):
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while True:
            for name, member in members.items():
                # Nothing is produced yet, so these polls only drive the rebalance.
                check(emit_records(member.consume(100, POLL_S), "group", name) == 0, "records before anything was produced")
            owned = [{tp.partition for tp in member.assignment()} for member in members.values()]
            union = set().union(*owned)
            if all(owned) and len(union) == sum(len(o) for o in owned) == PARTITIONS:
                return
            check(time.monotonic() < deadline, f"group never shared the partitions: {owned}")

    def read_to_end(self, consumer, phase, member):
        """Reads until librdkafka reports the end (EOF) of every partition: positions are unknown before a first record."""
        deadline = time.monotonic() + STEP_TIMEOUT_S
        at_end = set()
        while len(at_end) < PARTITIONS:
            check(time.monotonic() < deadline, f"{phase} reached the end of only partitions {sorted(at_end)}")
            emit_records(consumer.consume(100, POLL_S), phase, member, at_end)

    def group_member(self, client_id):
        return Consumer(self.config(client_id, **{
            "group.id": self.group, "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "enable.partition.eof": True}))

    def standalone(self):
        # confluent-kafka requires a group.id; this consumer only assigns, so it never joins that group.
        return Consumer(self.config("reader", **{
            "group.id": self.group + "-reader", "enable.auto.commit": False, "enable.partition.eof": True}))


def emit_records(messages, phase, member, at_end=None):
    """Prints the records; partition-end events go into at_end. Returns the number of records."""
    count = 0
    for msg in messages:
        if msg.error() is not None and msg.error().code() == KafkaError._PARTITION_EOF:
            if at_end is not None:
                at_end.add(msg.partition())
            continue
        check(msg.error() is None, f"{phase} consume error: {msg.error()}")
        count += 1
        emit(event="consumed", phase=phase, member=member, partition=msg.partition(), offset=msg.offset(),
             key=msg.key().decode(), value=msg.value().decode(),
             headers=[[k, v.decode()] for k, v in (msg.headers() or [])], timestamp=msg.timestamp()[1])
    return count


def main(args):
    mode, bootstrap, topic, group, base, codecs = args
    emit(event="client", name="librdkafka", version=confluent_kafka.libversion()[0],
         binding="confluent-kafka-python " + confluent_kafka.version()[0])
    driver = Driver(bootstrap, topic, group, int(base), codecs.split(","))
    {"produce-and-group": driver.produce_and_group, "resume": driver.resume,
     "read-compacted": driver.read_compacted}[mode]()
    emit(event="done")


if __name__ == "__main__":
    main(sys.argv[1:])
