/**
 * Finds domain names in one refanged line of free text: bare names with an optional port, the
 * domains of e-mail addresses, and the hosts of UNC paths, which may be addresses too.
 */
import type { HuntpackIssue } from '../errors.js';
import { quoteValue } from '../errors.js';
import { defangDots } from '../indicators/defang.js';
import { spanIsDefanged } from './text-refang.js';
import { AMBIGUOUS_TLDS } from './text-rules.js';
import { checkDomain, checkHost } from './text-hosts.js';
import {
  accept,
  blank,
  drop,
  execAt,
  fangedLinkDropReason,
  issue,
  parsePort,
  rejectPort,
  type LineScan,
  type ScanSettings,
} from './text-scan.js';

/**
 * Finds `\\host\share` and WebDAV `\\host@port\share` paths and reads their host: an address
 * with a port gives an ip-port indicator, and a domain a `port:N` tag.
 */
export function scanUncPaths(scan: LineScan, settings: ScanSettings): void {
  const pattern = /(?<![\\\w])\\\\([^\\\s@/]+?)(?:@SSL)?(?:@(\d+))?(?=\\|\s|$)/gi;
  for (const match of scan.work.read().matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    blank(scan, start, end);
    const host = match[1] ?? '';
    const tags = match[2] !== undefined ? [`port:${match[2]}`] : [];
    const checked = checkHost(host);

    if (checked.kind === 'invalid') {
      drop(scan, checked.reason, host);
    } else if (checked.kind === 'domain') {
      const reason = fangedLinkDropReason(scan, settings, { start, end, host, path: '' });
      if (reason) drop(scan, reason, host);
      else accept(scan, 'domain', host, start + 2, { tags });
    } else if (match[2] !== undefined && parsePort(match[2]) !== undefined) {
      accept(scan, 'ip-port', `${host}:${match[2]}`, start + 2, { address: checked.canonical });
    } else {
      accept(scan, 'ip', host, start + 2, { address: checked.canonical, tags });
    }
  }
}

/**
 * Finds e-mail addresses. A sender's domain is usually a free mail provider or a compromised
 * mailbox, so it is dropped unless `keepEmailDomains` is set.
 */
export function scanEmails(scan: LineScan, settings: ScanSettings): void {
  // At most 127 labels, as in DOMAIN_PATTERN.
  const pattern = /(?<![\w.+%-])[\w.%+-]+@((?:[\p{L}\p{N}_-]+\.){1,127}[\p{L}\p{N}-]+)/gu;
  for (const match of scan.work.read().matchAll(pattern)) {
    const domain = match[1] ?? '';
    blank(scan, match.index, match.index + match[0].length);
    if (settings.keepEmailDomains && checkDomain(domain).kind === 'domain') {
      accept(scan, 'domain', domain, match.index + match[0].length - domain.length, {
        tags: ['email-domain'],
      });
    } else {
      drop(scan, 'email-address', match[0]);
    }
  }
}

/**
 * A domain name with an optional `:port`. The last label must contain a letter. A look-ahead
 * checks that, because `[...]*\p{L}[...]*` would try every letter of a long label that fails to
 * match, in quadratic time.
 *
 * The labels before the last are at most 127, the most that a name of 253 characters can have.
 * V8 keeps one backtracking entry per repetition of a group, so an unbounded `(...)+` overflows
 * the stack on a line of a few million `a.` (Node.js 20). A run with more labels is no domain
 * and is left out without a drop.
 */
const DOMAIN_PATTERN =
  /(?<![\p{L}\p{N}_.@/\\-])((?:[\p{L}\p{N}_-]+\.){1,127}(?=[\p{N}_-]*\p{L})[\p{L}\p{N}_-]+)(?::(\d+))?(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}_-])/gu;

/**
 * Finds domain names, with an optional `:port` that becomes a `port:N` tag. Names whose last
 * label is not a known TLD (`setup.exe`) are dropped but not blanked, so a hash written as a file
 * name (`<md5>.exe`) is still found.
 *
 * A URL written without a scheme (`evil[.]com/gate.php`) yields only its domain, because adding
 * a scheme the writer did not give would invent part of the indicator. A URL_WITHOUT_SCHEME
 * warning states that its path is not hunted.
 */
export function scanDomains(scan: LineScan, settings: ScanSettings): void {
  for (const match of scan.work.read().matchAll(DOMAIN_PATTERN)) {
    const start = match.index;
    const end = start + match[0].length;
    const host = match[1] ?? '';
    const portText = match[2];
    const checked = checkDomain(host);
    if (checked.kind !== 'domain') {
      const reason = checked.kind === 'invalid' ? checked.reason : 'invalid-domain';
      drop(scan, reason, host);
      if (reason === 'unknown-tld' && spanIsDefanged(scan.line, start, end)) {
        scan.warnings.push(unhuntedNameIssue(scan, settings, host));
      }
      continue;
    }

    blank(scan, start, end);
    if (portText !== undefined && parsePort(portText) === undefined) {
      rejectPort(scan, settings, host, portText);
      continue;
    }
    const reason = fangedLinkDropReason(scan, settings, { start, end, host, path: '' });
    const defanged = spanIsDefanged(scan.line, start, end);
    if (reason) {
      drop(scan, reason, host);
    } else if (!defanged && portText === undefined && AMBIGUOUS_TLDS.has(checked.tld)) {
      drop(scan, 'ambiguous-tld', host);
      // Named in the issues, so that an analyst can defang a real indicator and read it again.
      const message =
        `Left out ${quoteValue(host)}: .${checked.tld} is also a file extension or a word, so a ` +
        `name written live with it may not be a domain. Write it defanged, as ` +
        `${quoteValue(host.replaceAll('.', '[.]'))}, to hunt it.`;
      scan.warnings.push({ ...issue(scan, settings, 'AMBIGUOUS_TLD', message), severity: 'info' });
    } else {
      accept(scan, 'domain', host, start, { tags: portText ? [`port:${portText}`] : [] });
      const path = execAt(URL_PATH, scan.line.text, end)?.[0];
      if (path !== undefined) scan.warnings.push(pathNotHuntedIssue(scan, settings, host, path));
    }
  }
}

/** A path after a name, up to the next space or quote, with at least one character after `/`. */
const URL_PATH = /\/[^\s"'<>`|]+/y;

/** Explains that a URL written without a scheme is hunted as its domain only. */
function pathNotHuntedIssue(
  scan: LineScan,
  settings: ScanSettings,
  host: string,
  path: string,
): HuntpackIssue {
  const message =
    `Read ${quoteValue(host + path)} as the domain ${quoteValue(host)}, because it has no ` +
    'scheme: the domain hunt matches every request to the host, and the path is not hunted. ' +
    'Write the URL with its scheme (hxxp:// or hxxps://) to hunt it as a URL.';
  return issue(scan, settings, 'URL_WITHOUT_SCHEME', message);
}

/**
 * Top-level domains outside the public DNS root that reports name, with the network that
 * resolves them instead.
 */
const PRIVATE_NETWORK_TLDS: Readonly<Record<string, { service: string; traffic: string }>> = {
  onion: { service: 'a Tor onion service, reached only through Tor', traffic: 'Tor' },
  i2p: { service: 'an I2P site, reached only through the I2P network', traffic: 'I2P' },
};

/**
 * Explains why a defanged name with an unknown top-level domain is not hunted. The writer marked
 * it as an indicator, so the analyst needs to hear that it was left out. A Tor or I2P name is a
 * host for sure and gets a warning. Any other name gets an info issue, because writers defang
 * file names too (`NotaFiscal[.]pdf`).
 */
function unhuntedNameIssue(scan: LineScan, settings: ScanSettings, host: string): HuntpackIssue {
  const tld = host.slice(host.lastIndexOf('.') + 1).toLowerCase();
  const network = PRIVATE_NETWORK_TLDS[tld];
  const name = quoteValue(defangDots(host));
  if (network !== undefined) {
    const message =
      `Left out the defanged name ${name}: it is ${network.service}, so DNS and proxy logs ` +
      `do not show it by name and a domain hunt cannot match it. Hunt ${network.traffic} ` +
      `traffic from your hosts instead.`;
    return issue(scan, settings, 'DEFANGED_NAME_NOT_HUNTED', message);
  }
  const message =
    `Left out the defanged name ${name}: .${tld} is not an IANA top-level domain, so it is not ` +
    `hunted as a domain. A file name needs nothing more. A host name under .${tld} does not ` +
    `resolve in public DNS, so check it for a typo and hunt it another way.`;
  return { ...issue(scan, settings, 'DEFANGED_NAME_NOT_HUNTED', message), severity: 'info' };
}
