package io.vltava.kafka.conformance;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The conformance checks of one API key. {@link #check} runs once per version the node
 * advertises: it sends requests built with kafka-clients' generated request data at that version,
 * with that version's fields filled with realistic non-default values, and asserts on the parsed
 * response — data and error codes, error paths included.
 */
interface ApiCase {

  ApiKeys apiKey();

  void check(ConformanceBroker broker, short version) throws Exception;
}
