/**
 * Indicators reduced to the parts that allowlists compare, in a form that passes between threads
 * cheaply: one kind number and one value string per indicator, and the address and URL parts in
 * one flat list, instead of an object per indicator.
 */
import { ListProvenance } from '../../indicators/provenance.js';
import { INDICATOR_KINDS, type Indicator, type IndicatorContext } from '../../indicators/model.js';

export interface DecisionBatch {
  /** The position of each indicator's kind in `INDICATOR_KINDS`. */
  kinds: Uint8Array;
  values: string[];
  /**
   * The address and address family of each `ip` and `ip-port`, and the host, host kind, path and
   * query, scheme and port (-1 for none) of each `url`, in indicator order.
   */
  parts: Array<string | number>;
}

const KIND_NUMBERS = new Map(INDICATOR_KINDS.map((kind, number) => [kind, number]));

/** Returns the batch of `indicators`, which `indicatorsOf` turns back into indicators. */
export function toDecisionBatch(indicators: readonly Indicator[]): DecisionBatch {
  const kinds = new Uint8Array(indicators.length);
  const values: string[] = [];
  const parts: Array<string | number> = [];
  for (const [position, indicator] of indicators.entries()) {
    kinds[position] = KIND_NUMBERS.get(indicator.kind)!;
    values.push(indicator.value);
    switch (indicator.kind) {
      case 'ip':
      case 'ip-port':
        parts.push(indicator.address, indicator.addressFamily);
        break;
      case 'url':
        parts.push(
          indicator.host,
          indicator.hostKind,
          indicator.pathAndQuery,
          indicator.scheme,
          indicator.port ?? -1,
        );
        break;
      default:
        break;
    }
  }
  return { kinds, values, parts };
}

/**
 * Returns the indicators of a batch with the fields that allowlists read. They share one empty
 * context: no family, tags or provenance.
 */
export function indicatorsOf(batch: DecisionBatch): Indicator[] {
  const indicators: Indicator[] = [];
  const { parts } = batch;
  let part = 0;
  for (const [position, value] of batch.values.entries()) {
    const kind = INDICATOR_KINDS[batch.kinds[position]!]!;
    switch (kind) {
      case 'ip': {
        const address = parts[part++] as string;
        const addressFamily = parts[part++] as 'ipv4' | 'ipv6';
        indicators.push({ kind, value, address, addressFamily, ...NO_CONTEXT });
        break;
      }
      case 'ip-port': {
        const address = parts[part++] as string;
        const addressFamily = parts[part++] as 'ipv4' | 'ipv6';
        const port = Number(value.slice(value.lastIndexOf(':') + 1));
        indicators.push({ kind, value, address, addressFamily, port, ...NO_CONTEXT });
        break;
      }
      case 'domain':
        indicators.push({ kind, value, domain: value, ...NO_CONTEXT });
        break;
      case 'url': {
        const host = parts[part++] as string;
        const hostKind = parts[part++] as 'domain' | 'ipv4' | 'ipv6';
        const pathAndQuery = parts[part++] as string;
        const scheme = parts[part++] as string;
        const port = parts[part++] as number;
        indicators.push({
          kind,
          value,
          url: value,
          scheme,
          host,
          hostKind,
          pathAndQuery,
          ...(port === -1 ? {} : { port }),
          ...NO_CONTEXT,
        });
        break;
      }
      case 'md5':
      case 'sha1':
      case 'sha256':
        indicators.push({ kind, value, hash: value, ...NO_CONTEXT });
        break;
    }
  }
  return indicators;
}

const NO_LIST: readonly string[] = Object.freeze([]);
const NO_CONTEXT: IndicatorContext = Object.freeze({
  tags: NO_LIST,
  references: NO_LIST,
  reporters: NO_LIST,
  provenance: Object.freeze(new ListProvenance([], [])),
});
