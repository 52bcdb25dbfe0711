package io.vltava.replica;

/**
 * How a read hands over the batches it found: copied into memory with their CRCs checked, or as a
 * slice of the segment file for a transport that writes it to the socket with sendfile.
 */
public enum RecordsForm {
  MEMORY,
  FILE_SLICE
}
