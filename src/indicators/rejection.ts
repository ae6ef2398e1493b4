/**
 * The internal result of a value parser that cannot accept its input. `normalizeIndicator`
 * turns a rejection into a {@link HuntpackIssue} that names the source and quotes the value.
 */

/** Why a value was rejected: a stable code and a reason that reads after "Invalid <kind> value ...: ". */
export class ValueRejection {
  constructor(
    /** Stable SCREAMING_SNAKE issue code, such as `INVALID_PORT`. */
    readonly code: string,
    /** One or more sentences that state what is wrong and what was expected. */
    readonly reason: string,
  ) {}
}

/** Returns true when a parser rejected its input. */
export function isRejection(value: unknown): value is ValueRejection {
  return value instanceof ValueRejection;
}
