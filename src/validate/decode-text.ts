/**
 * Decodes the bytes of a query file or hunt report. Editors and PowerShell 5 (`Out-File`, `>`)
 * save text as UTF-16 with a byte order mark, so a BOM chooses UTF-8, UTF-16 LE or UTF-16 BE.
 * Text without a BOM is read as UTF-8.
 */

/** The decoded text, or the reason the bytes are not text. */
export type DecodedText = { text: string } | { binary: string };

/**
 * Decodes `bytes` by their byte order mark, without the mark. Bytes without a BOM that contain
 * a NUL byte are rejected as binary, because text in UTF-8 has none. This includes UTF-16 saved
 * without a BOM.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)) };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)) };
  }
  if (bytes.includes(0)) {
    return {
      binary:
        'it contains NUL bytes, so it is a binary file or text in UTF-16 without a byte order ' +
        'mark. Pass a text file, and save a query or report as UTF-8',
    };
  }
  return { text: new TextDecoder('utf-8').decode(bytes) };
}

/** Builds the message for a file that `decodeText` rejected. */
export function binaryFileMessage(file: string, reason: string): string {
  return `${file} is not a text file: ${reason}.`;
}
