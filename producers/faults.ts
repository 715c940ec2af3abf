// Turns a correctly framed Avro record (0x00, 4-byte schema id, body) into bytes a consumer must
// quarantine: a wrong magic byte, a schema id no registry knows, or a body cut short.
import type { Corruption } from './trade-simulator';

const HEADER_BYTES = 5;
/** Far above any id a registry hands out in this pipeline's lifetime. */
export const UNKNOWN_SCHEMA_ID = 0x7fff_fff0;
/** The shortest Trade body: a 36-character operation_id alone takes 37 bytes. */
const SHORTEST_BODY = 37;

export function corruptFrame(frame: Buffer, corruption: Corruption, seq: number): Buffer {
  switch (corruption) {
    case 'bad-magic': {
      const bytes = Buffer.from(frame);
      bytes[0] = 1 + (seq % 255);
      return bytes;
    }
    case 'unknown-schema-id': {
      const bytes = Buffer.from(frame);
      bytes.writeUInt32BE(UNKNOWN_SCHEMA_ID + (seq % 15), 1);
      return bytes;
    }
    case 'truncated': {
      // Cut inside the first field so no reader can mistake the rest for a record.
      const keep = HEADER_BYTES + (seq % Math.min(SHORTEST_BODY, Math.max(1, frame.length - HEADER_BYTES)));
      return Buffer.from(frame.subarray(0, keep));
    }
  }
}
