/**
 * Reads indicators from free text: blog posts, vendor reports, chat messages and Markdown or
 * AsciiDoc IOC lists, with or without defanging.
 *
 * Rules, each tested in `test/feeds/text.test.ts`:
 * - Only the defang forms listed in `text-refang.ts` are refanged.
 * - One mention gives one indicator, the most specific: a URL's host is not also a domain, and
 *   an address inside a URL or an `ip:port` is not also an ip. A URL whose host is an IP address
 *   (`https://1.2.3.4:8443/x`) gives no ip-port either, because a pack hunts such a URL on its
 *   address and port too. An allowlist can limit a URL on a rented hosting address to the whole
 *   URL, and a derived ip-port would undo that.
 * - A URL that writes its port after `@`, as WebDAV paths do (`https://1.2.3.4@80/x` for
 *   `\\1.2.3.4@80\x`), is read with a warning as `https://1.2.3.4:80/x`, which normalization
 *   accepts. URL parsers would read the address as user info and `80` as the host.
 * - A URL with its scheme written twice (`hxxp://http://evil.com/`) or an IPv4 host with hex or
 *   octal parts (`http://0x7f.0.0.1/`) is kept as written. URL normalization reads it as the
 *   inner URL or the dotted decimal address, with a warning, as it does for ThreatFox URLs.
 * - An IPv4 URL host with one trailing dot (`http://1.2.3.4./x`) loses the dot, which browsers
 *   ignore, with a URL_HOST_TRAILING_DOT warning.
 * - A URL whose scheme is not one of those hunted as URLs (`smb://evil.com/share`) gives its
 *   host as a domain, ip or ip-port tagged `from-smb-url`, with a URL_SCHEME_NOT_HUNTED warning.
 * - An address with a port gives an ip-port indicator, written as `1.2.3.4:80`, `1.2.3.4 port 80`
 *   or `\\1.2.3.4@80\share`. A domain with a port (`evil.com:8443`, `\\evil.com@443\x`) gives a
 *   domain indicator tagged `port:N`, because huntpack's domain hunts match names, not ports.
 * - An address that also appears with a port somewhere in the same text, as an ip-port or as
 *   the host of a URL with a port, yields only those indicators. Its bare mentions (often the
 *   same address in a query or a summary) are dropped as `covered-by-ip-port`, unless
 *   `keepBareAddresses` is set.
 * - A name whose last label is not an IANA top-level domain is not a domain (`setup.exe`). A
 *   fanged name whose TLD is also a file extension or a code member (`invoice.zip`, `setup.sh`,
 *   `process.name`) is a domain only inside a URL, with a port, or when defanged.
 * - Fanged links to reference sites (social media, sandboxes, abuse.ch) are dropped as
 *   `reference-link`. When the text defangs anything but a `fxp://` scheme, which may be FXP
 *   written as is, the writer marked their indicators, so fanged domains and URLs outside code
 *   spans are dropped as `fanged-in-defanged-text`. Fanged addresses and hashes are always kept.
 * - A live dotted quad without a port after a user agent product and `/` (`Chrome/120.0.0.0`)
 *   or a version word (`version 7.4.2.1`, `OID 1.3.6.1`) is dropped as `version-number`.
 * - The domain of an e-mail address is dropped as `email-address`.
 * - A defanged name whose last label is not an IANA top-level domain (`c2[.]onion`) is dropped
 *   as `unknown-tld` with a `DEFANGED_NAME_NOT_HUNTED` warning, because the writer marked it.
 * - An invisible character inside a word that looks like an indicator never splits it: one that
 *   IDNA mapping removes (`ev\u200Bil.com`) is removed with a warning, and any other format
 *   character (a bidirectional control or a joiner) rejects the word. U+3002, U+FF0E and U+FF61
 *   between ASCII labels are read as dots. See `text-invisible.ts`.
 * - A URL followed by a word that looks like the rest of its path (`/dir/Protected Client.js`)
 *   was cut at a space and cannot match the real request. Its host is read in its place, as a
 *   domain, ip or ip-port tagged `from-cut-url`, with a `URL_CUT_AT_SPACE` warning. A URL cut at
 *   a quote that letters or digits follow (`?c="2"`) gets `URL_CUT_AT_QUOTE` in the same way, and
 *   one that contains "…" where the writer left text out gets `URL_SHORTENED`.
 * - A name or address whose defanging is also a prose spelling (`seven-c2 dot net`,
 *   `evil [.] com`, `185 . 100 . 87 . 203`, `zeta-c2[.com`) is rejected with an
 *   AMBIGUOUS_DEFANG warning that names it. See `text-defang-suspects.ts`.
 * - An address block (`10.0.0.0/8`, `2a0e:1c80:1::/48`) is dropped with a CIDR_RANGE note, and
 *   a range of addresses (`10.0.0.1-20`, `10.0.0.1 to 10.0.0.20`, `2001:db8::1-2001:db8::ff`)
 *   with an ADDRESS_RANGE warning, because neither is one address. A range whose second address
 *   is not higher is read as two addresses. So is one whose ends lie in different /16 (IPv4) or
 *   /64 (IPv6) networks (`91.1.1.1 – 185.2.2.2`), with an ADDRESS_PAIR_NOT_RANGE warning,
 *   because a report more likely lists two servers that way. See `text-addresses.ts`.
 * - An IPv6 address with a zone id (`fe80::1%eth0`, `[fe80::1%25eth0]:443`) is read without
 *   it, with an IPV6_ZONE_ID warning.
 * - Each drop reason gets one `TEXT_CANDIDATES_DROPPED` info issue that gives the count and
 *   names the first values, defanged.
 *
 * Every candidate ends as one record, one rejection (with a warning) or one drop, so
 * `itemsRead === records.length + rejected + sum(dropped)`.
 */
import type { HuntpackIssue } from '../errors.js';
import { quoteValue } from '../errors.js';
import type { RawIndicator } from '../indicators/model.js';
import { lineTooLongError } from './input.js';
import { lineTooLong, MAX_LINE_BYTES } from './line-limit.js';
import { emptyReaderOutput, type FeedReaderOutput } from './reader-output.js';
import { DropLog } from './text-drops.js';
import {
  invisibleFindingIssue,
  readInvisibleCharacters,
  type InvisibleFinding,
} from './text-invisible.js';
import { refangLine, type RefangedLine } from './text-refang.js';
import { REFERENCE_SITES, type ReferenceSite } from './text-rules.js';
import { scanIpv4, scanIpv6 } from './text-addresses.js';
import { scanDefangSuspects } from './text-defang-suspects.js';
import { scanDomains, scanEmails, scanUncPaths } from './text-domains.js';
import { scanHashes } from './text-hashes.js';
import { startLineScan, type Mention, type ScanSettings } from './text-scan.js';
import { scanUrls } from './text-url.js';

export interface TextReaderOptions {
  /** Malware family given to every record, such as `Remcos`. Default: none. */
  family?: string;
  /** Keep fanged links to reference sites such as urlscan.io or x.com. Default false. */
  keepReferenceLinks?: boolean;
  /** Sites whose fanged links are references. Default: `REFERENCE_SITES`. */
  referenceSites?: readonly ReferenceSite[];
  /** Keep fanged domains and URLs in a text that defangs others. Default false. */
  keepFangedLinks?: boolean;
  /** Read the domain of an e-mail address as a domain indicator tagged `email-domain`. Default false. */
  keepEmailDomains?: boolean;
  /** Keep bare mentions of an address that also appears with a port. Default false. */
  keepBareAddresses?: boolean;
}

/**
 * Reads indicators from free text.
 *
 * @param text The whole text; CRLF, LF and CR line ends are all accepted.
 * @param file Name used in record sources and issue messages.
 * @throws FeedParseError on a line longer than MAX_LINE_BYTES bytes of UTF-8.
 */
export function readText(
  text: string,
  file: string,
  options: TextReaderOptions = {},
): FeedReaderOutput {
  const output = emptyReaderOutput();
  const rawLines = text.replace(/^\uFEFF+/, '').split(/\r\n|\r|\n/);
  const tooLong = rawLines.findIndex((line) => lineTooLong(line, MAX_LINE_BYTES));
  if (tooLong !== -1) throw lineTooLongError(file, tooLong + 1, MAX_LINE_BYTES);
  const readings = rawLines.map(readInvisibleCharacters);
  const lines = readings.map((reading) => refangLine(reading.text));
  const settings: ScanSettings = {
    file,
    textIsDefanged: lines.some((line) => line.defangedOnPurpose),
    keepReferenceLinks: options.keepReferenceLinks ?? false,
    keepFangedLinks: options.keepFangedLinks ?? false,
    keepEmailDomains: options.keepEmailDomains ?? false,
    referenceSites: options.referenceSites ?? REFERENCE_SITES,
  };

  const drops = new DropLog(output);
  // Pushed one by one: spreading a line's mentions into push() overflows the call stack on a
  // line with a few hundred thousand indicators.
  const mentions: Mention[] = [];
  lines.forEach((line, index) => {
    addInvisibleFindings(readings[index]?.findings ?? [], index + 1, file, output);
    for (const mention of scanLine(line, index + 1, settings, output, drops))
      mentions.push(mention);
  });

  const covered = options.keepBareAddresses ? new Set<string>() : addressesWithPorts(mentions);
  for (const mention of mentions) {
    if (mention.type === 'ip' && mention.address !== undefined && covered.has(mention.address)) {
      drops.add('covered-by-ip-port', mention.value, mention.line);
    } else {
      output.itemsRead++;
      output.records.push(toRecord(mention, file, options.family));
    }
  }
  drops.addIssues(file);
  if (output.itemsRead === 0 && lines.some((line) => line.text.trim() !== '')) {
    output.issues.push(noIndicatorsIssue(file));
  }
  return output;
}

/**
 * Returns the warning for a text that is not empty but contains no indicator, so that the
 * analyst does not take it for an empty file or a failed download.
 */
function noIndicatorsIssue(file: string): HuntpackIssue {
  return {
    code: 'TEXT_NO_INDICATORS',
    severity: 'warning',
    message:
      `Free text in ${quoteValue(file)} contains no indicators: it names no IP address, ` +
      'domain, URL or MD5, SHA-1 or SHA-256 hash. Check that it is the report you meant, or ' +
      'pass --format if it is a feed in another format.',
    source: { file },
  };
}

/** Adds the warnings for one line's invisible characters, and counts each rejected word. */
function addInvisibleFindings(
  findings: readonly InvisibleFinding[],
  lineNumber: number,
  file: string,
  output: FeedReaderOutput,
): void {
  for (const finding of findings) {
    if (finding.kind === 'rejected') {
      output.itemsRead++;
      output.rejected++;
    }
    output.issues.push(invisibleFindingIssue(finding, file, lineNumber));
  }
}

/** Runs every scanner over one line; counts drops and rejections and returns the mentions. */
function scanLine(
  line: RefangedLine,
  lineNumber: number,
  settings: ScanSettings,
  output: FeedReaderOutput,
  drops: DropLog,
): Mention[] {
  const scan = startLineScan(line, lineNumber);
  for (const repaired of line.repaired) {
    output.issues.push(malformedDefangIssue(repaired, lineNumber, settings.file));
  }

  scanUrls(scan, settings);
  scanUncPaths(scan, settings);
  scanEmails(scan, settings);
  scanIpv6(scan, settings);
  scanIpv4(scan, settings);
  scanDomains(scan, settings);
  scanHashes(scan);
  scanDefangSuspects(scan, settings);

  const mentions: Mention[] = [];
  for (const verdict of scan.verdicts) {
    if ('mention' in verdict) {
      mentions.push(verdict.mention);
      continue;
    }
    if ('drop' in verdict) {
      drops.add(verdict.drop, verdict.value, verdict.line);
    } else {
      output.itemsRead++;
      output.rejected++;
      output.issues.push(verdict.reject);
    }
  }
  for (const warning of scan.warnings) output.issues.push(warning);
  return mentions.sort((a, b) => a.start - b.start);
}

function malformedDefangIssue(marker: string, line: number, file: string): HuntpackIssue {
  return {
    code: 'MALFORMED_DEFANG',
    severity: 'warning',
    message: `Malformed defang marker ${JSON.stringify(marker)} (an extra dot beside "[.]") was read as one dot. Check that the indicator on this line is right.`,
    source: { file, line },
  };
}

/** Returns the canonical addresses that appear with a port, in an ip-port or a URL mention. */
function addressesWithPorts(mentions: readonly Mention[]): Set<string> {
  const addresses = new Set<string>();
  for (const mention of mentions) {
    if (mention.type !== 'ip' && mention.address !== undefined) {
      addresses.add(mention.address);
    }
  }
  return addresses;
}

function toRecord(mention: Mention, file: string, family: string | undefined): RawIndicator {
  const context: RawIndicator['context'] = { tags: mention.tags };
  if (family !== undefined) context.family = { name: family, aliases: [] };
  return {
    type: mention.type,
    value: mention.value,
    context,
    source: { file, line: mention.line },
  };
}
