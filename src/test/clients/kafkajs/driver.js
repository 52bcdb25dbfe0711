// The client-matrix scenario for kafkajs, run by io.vltava.clients.ClientMatrixTest as
//   node driver.js produce-and-group|resume|read-compacted BOOTSTRAP TOPIC GROUP BASE_TIMESTAMP_MS CODEC,CODEC,...
// It writes the records MatrixPlan.java describes and prints JSON lines on stdout (the same events
// as KafkaClientsDriver.java); kafkajs' own log goes to stderr. Any failure exits non-zero.
'use strict'

const {
  Kafka, CompressionTypes, CompressionCodecs, ConfigResourceTypes, Partitioners, logLevel,
} = require('kafkajs')
const SnappyCodec = require('kafkajs-snappy')
const LZ4Codec = require('kafkajs-lz4')

// gzip is built in; snappy (JavaScript) and lz4 (a native module) are kafkajs' codec plugins.
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec
const CODECS = {
  none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4,
}

const PARTITIONS = 3
const RECORDS_PER_CODEC = 40
const PHASE_TWO_RECORDS = 20
const DESCRIBED_CONFIG = 'retention.ms'
const DESCRIBED_CONFIG_VALUE = '86400000'
const FILLER = 'vltava'.repeat(10)
const STEP_TIMEOUT_MS = 60000

const emit = fields => process.stdout.write(JSON.stringify(fields) + '\n')

function check (condition, failure) {
  if (!condition) throw new Error(failure)
}

/** Resolves when done() holds, checking after every poll step; rejects after the step timeout. */
async function until (done, failure) {
  const deadline = Date.now() + STEP_TIMEOUT_MS
  while (!done()) {
    check(Date.now() < deadline, failure())
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

class Driver {
  constructor (bootstrap, topic, group, baseTimestampMs, codecs) {
    this.topic = topic
    this.group = group
    this.base = baseTimestampMs
    this.codecs = codecs
    this.kafka = new Kafka({
      clientId: 'kafkajs-matrix',
      brokers: [bootstrap],
      logLevel: logLevel.WARN,
      logCreator: () => ({ namespace, level, log }) => process.stderr.write(`${level} ${namespace} ${JSON.stringify(log)}\n`),
    })
    this.admin = this.kafka.admin()
  }

  records (codec, phase) {
    const first = phase === 1 ? this.codecs.indexOf(codec) * RECORDS_PER_CODEC : this.codecs.length * RECORDS_PER_CODEC
    const count = phase === 1 ? RECORDS_PER_CODEC : PHASE_TWO_RECORDS
    const records = []
    for (let n = first; n < first + count; n++) {
      records.push({
        key: `key-${n}`, value: `value-${n}-${codec}-${FILLER}`, headers: [['seq', `${n}`], ['codec', codec]], timestamp: this.base + n,
      })
    }
    return records
  }

  timestampTarget () {
    return this.base + Math.floor(this.codecs.length * RECORDS_PER_CODEC / 2)
  }

  async produceAndGroup () {
    await this.admin.connect()
    check(await this.admin.createTopics({
      topics: [{ topic: this.topic, numPartitions: PARTITIONS, replicationFactor: 1, configEntries: [{ name: DESCRIBED_CONFIG, value: DESCRIBED_CONFIG_VALUE }] }],
      waitForLeaders: true,
    }), `topic ${this.topic} was not created`)
    emit({ event: 'created', topic: this.topic })

    const members = [this.groupMember('member-a', 'group'), this.groupMember('member-b', 'group')]
    for (const member of members) await member.start()
    await until(() => sharesPartitions(members), () => `group never shared the partitions: ${JSON.stringify(members.map(m => [...m.assignment]))}`)
    for (const codec of this.codecs) await this.produce(codec, 1)
    const expected = this.codecs.length * RECORDS_PER_CODEC
    const consumed = () => members.reduce((sum, m) => sum + m.count, 0)
    await until(() => consumed() >= expected, () => `group read ${consumed()} of ${expected} records`)
    check(sharesPartitions(members), 'the group rebalanced while reading')
    for (const member of members) {
      emit({ event: 'assigned', member: member.name, partitions: [...member.assignment].sort() })
      await member.consumer.commitOffsets(Object.entries(member.next).map(([partition, offset]) => ({ topic: this.topic, partition: Number(partition), offset: `${offset}` })))
    }
    for (const member of members) await member.consumer.disconnect()
    const [committed] = await this.admin.fetchOffsets({ groupId: this.group, topics: [this.topic] })
    for (const { partition, offset } of committed.partitions) emit({ event: 'committed', partition, offset: Number(offset) })
    await this.produce('none', 2)
    await this.admin.disconnect()
  }

  async resume () {
    await this.admin.connect()
    const ends = await this.endOffsets()
    const [committed] = await this.admin.fetchOffsets({ groupId: this.group, topics: [this.topic] })
    const resumed = this.groupMember('member-resumed', 'resume')
    await this.readToEnd(resumed, ends, Object.fromEntries(committed.partitions.map(p => [p.partition, Number(p.offset)])), () => resumed.start())

    // kafkajs has no manual assignment: a fresh group reads from the beginning, another seeks to the timestamp's offsets.
    await this.readFromBeginning('beginning', ends)

    const found = await this.admin.fetchTopicOffsetsByTimestamp(this.topic, this.timestampTarget())
    const starts = {}
    for (const { partition, offset } of found.sort((a, b) => a.partition - b.partition)) {
      // kafkajs answers the end offset where no record is that new; Kafka's ListOffsets answers -1.
      const start = Number(offset) >= ends[partition] ? -1 : Number(offset)
      emit({ event: 'offsetForTime', partition, offset: start })
      starts[partition] = start >= 0 ? start : ends[partition]
    }
    const fromTime = this.reader('fromTime', `${this.group}-from-time`)
    await this.readToEnd(fromTime, ends, starts, async () => {
      await fromTime.start()
      for (const [partition, offset] of Object.entries(starts)) fromTime.consumer.seek({ topic: this.topic, partition: Number(partition), offset: `${offset}` })
    })

    await this.describe()
    await this.admin.deleteTopics({ topics: [this.topic], timeout: STEP_TIMEOUT_MS })
    const deadline = Date.now() + STEP_TIMEOUT_MS
    while ((await this.admin.listTopics()).includes(this.topic)) check(Date.now() < deadline, 'topic still listed after deletion')
    emit({ event: 'deleted', topic: this.topic })
    await this.admin.disconnect()
  }

  /** Reads the (already written and compacted) topic from the beginning. */
  async readCompacted () {
    await this.admin.connect()
    await this.readFromBeginning('compacted', await this.endOffsets())
    await this.admin.disconnect()
  }

  /** A fresh group, starting at the earliest offsets, reads every partition to its end offset. */
  async readFromBeginning (phase, ends) {
    const reader = this.reader(phase, `${this.group}-${phase}`)
    await this.readToEnd(reader, ends, {}, () => reader.start())
  }

  async describe () {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [this.topic] })
    const partitions = metadata.topics[0].partitions
    const { resources } = await this.admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: this.topic, configNames: [DESCRIBED_CONFIG] }], includeSynonyms: false,
    })
    const entry = resources[0].configEntries.find(e => e.configName === DESCRIBED_CONFIG)
    emit({
      event: 'described', partitions: partitions.length, leaders: [...new Set(partitions.map(p => p.leader))].sort(), config: entry.configValue,
    })
  }

  async produce (codec, phase) {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [this.topic] })
    const partitionMetadata = metadata.topics[0].partitions
    const partitioner = Partitioners.DefaultPartitioner()
    const records = this.records(codec, phase)
    // Keyed records, partitioned by kafkajs' default (Java-compatible murmur2) partitioner; computing it
    // here tells which partition, and so which offset, each record gets in the one batch per partition.
    const messages = records.map(r => {
      const message = { key: r.key, value: r.value, headers: Object.fromEntries(r.headers), timestamp: `${r.timestamp}` }
      return { ...message, partition: partitioner({ topic: this.topic, partitionMetadata, message }) }
    })
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    const results = await producer.send({ topic: this.topic, acks: -1, compression: CODECS[codec], messages })
    await producer.disconnect()
    const baseOffsets = Object.fromEntries(results.map(r => {
      check(r.errorCode === 0, `produce to partition ${r.partition} failed with error ${r.errorCode}`)
      return [r.partition, Number(r.baseOffset)]
    }))
    const nextInPartition = {}
    records.forEach((r, i) => {
      const partition = messages[i].partition
      const index = nextInPartition[partition] || 0
      nextInPartition[partition] = index + 1
      emit({ event: 'produced', phase, codec, partition, offset: baseOffsets[partition] + index, key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })
    })
  }

  async endOffsets () {
    const offsets = await this.admin.fetchTopicOffsets(this.topic)
    return Object.fromEntries(offsets.map(p => [p.partition, Number(p.high)]))
  }

  /** Starts the member and reads until, in every partition, it is at the end offset (from starts where nothing is left). */
  async readToEnd (member, ends, starts, start) {
    await start()
    const position = partition => member.next[partition] !== undefined ? member.next[partition] : starts[partition]
    await until(() => Object.keys(ends).every(p => position(p) >= ends[p]),
      () => `${member.phase} did not reach the end offsets ${JSON.stringify(ends)}: at ${JSON.stringify(member.next)}`)
    await member.consumer.disconnect()
  }

  groupMember (name, phase) {
    return new Member(this.kafka, this.topic, this.group, name, phase)
  }

  reader (phase, groupId) {
    return new Member(this.kafka, this.topic, groupId, '', phase)
  }
}

/** A kafkajs consumer in a group that prints every record it reads and tracks its assignment and next offsets. */
class Member {
  constructor (kafka, topic, groupId, name, phase) {
    this.topic = topic
    this.name = name
    this.phase = phase
    this.consumer = kafka.consumer({ groupId })
    this.assignment = new Set()
    this.next = {}
    this.count = 0
    this.consumer.on(this.consumer.events.GROUP_JOIN, e => {
      this.assignment = new Set(e.payload.memberAssignment[topic] || [])
    })
  }

  async start () {
    await this.consumer.connect()
    await this.consumer.subscribe({ topics: [this.topic], fromBeginning: true })
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        emit({
          event: 'consumed', phase: this.phase, member: this.name, partition, offset: Number(message.offset), key: message.key.toString(), value: message.value.toString(),
          headers: Object.entries(message.headers).map(([k, v]) => [k, v.toString()]), timestamp: Number(message.timestamp),
        })
        this.next[partition] = Number(message.offset) + 1
        this.count++
      },
    })
  }
}

function sharesPartitions (members) {
  const union = new Set(members.flatMap(m => [...m.assignment]))
  return members.every(m => m.assignment.size > 0) && union.size === PARTITIONS &&
    members.reduce((sum, m) => sum + m.assignment.size, 0) === PARTITIONS
}

async function main ([mode, bootstrap, topic, group, base, codecs]) {
  emit({ event: 'client', name: 'kafkajs', version: require('kafkajs/package.json').version })
  const driver = new Driver(bootstrap, topic, group, Number(base), codecs.split(','))
  await {
    'produce-and-group': () => driver.produceAndGroup(), resume: () => driver.resume(), 'read-compacted': () => driver.readCompacted(),
  }[mode]()
  emit({ event: 'done' })
}

main(process.argv.slice(2)).then(() => process.exit(0), error => {
  process.stderr.write(`${error.stack}\n`)
  process.exit(1)
})
