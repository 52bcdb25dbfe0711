// kafkajs over SASL, run by io.vltava.security.SecureExampleTest (SASL_SSL, SCRAM-SHA-512) and
// OAuthBearerTest (SASL_PLAINTEXT, OAUTHBEARER) as
//   node secure.js BOOTSTRAP CA_PEM MECHANISM USER PASSWORD TOPIC DENIED_TOPIC [TOKEN_URL]
// CA_PEM "-" means plaintext. With OAUTHBEARER, USER and PASSWORD are an OAuth client's id and
// secret, and each token comes from TOKEN_URL (client-credentials grant), as often as kafkajs asks.
// It produces three records to partition 0 of TOPIC, reads them back as group TOPIC, then tries to
// produce to DENIED_TOPIC, which the user may not write, and prints one JSON line
// {"consumed": [...], "deniedProduce": "<the Kafka error kafkajs reported>"}; kafkajs' own log goes
// to stderr. Any other failure, or a produce to DENIED_TOPIC that succeeds, exits non-zero.
'use strict'

const fs = require('fs')
const { Kafka, logLevel } = require('kafkajs')

const STEP_TIMEOUT_MS = 60000

async function main ([bootstrap, ca, mechanism, user, password, topic, deniedTopic, tokenUrl]) {
  const kafka = new Kafka({
    clientId: 'secure-kafkajs',
    brokers: [bootstrap],
    ssl: ca === '-' ? false : { ca: [fs.readFileSync(ca, 'utf-8')] },
    sasl: mechanism === 'OAUTHBEARER'
      ? { mechanism: 'oauthbearer', oauthBearerProvider: () => fetchToken(tokenUrl, user, password) }
      : { mechanism: mechanism.toLowerCase(), username: user, password },
    logLevel: logLevel.WARN,
    logCreator: () => ({ log }) => process.stderr.write(JSON.stringify(log) + '\n'),
  })
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: [0, 1, 2].map(n => ({ partition: 0, value: `kafkajs-${n}` })) })
  const deniedProduce = await producer.send({ topic: deniedTopic, messages: [{ value: 'denied' }] })
    .then(() => { throw new Error(`the produce to ${deniedTopic} succeeded`) }, protocolErrorType)
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: topic })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const values = []
  await consumer.run({ eachMessage: async ({ message }) => { values.push(message.value.toString()) } })
  const deadline = Date.now() + STEP_TIMEOUT_MS
  while (values.length < 3 && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  await consumer.disconnect()
  process.stdout.write(JSON.stringify({ consumed: values, deniedProduce }) + '\n')
}

// An access token from an OAuth token endpoint, client-credentials grant with HTTP Basic client authentication.
async function fetchToken (tokenUrl, clientId, clientSecret) {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      Authorization: 'Basic ' + Buffer.from(`${clientId}:${clientSecret}`).toString('base64'),
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  })
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`)
  return { value: (await response.json()).access_token }
}

// The Kafka error (e.g. TOPIC_AUTHORIZATION_FAILED) under kafkajs' retry wrappers; rethrows any other failure.
function protocolErrorType (error) {
  for (let e = error; e; e = e.cause) {
    if (e.type) return e.type
  }
  throw error
}

main(process.argv.slice(2)).catch(error => {
  process.stderr.write(`${error.stack}\n`)
  process.exit(1)
})
