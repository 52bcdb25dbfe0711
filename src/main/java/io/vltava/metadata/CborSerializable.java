package io.vltava.metadata;

/** Marker for messages that cross nodes: bound to Jackson CBOR in reference.conf. */
public interface CborSerializable {}
