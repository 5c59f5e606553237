/**
 * Reading values that may be unknown during a preview (the policy SDK throws its
 * UnknownValueError on reading one) or unreadable (a Cloud Control desired state that is not
 * JSON): the policies judge what is known and leave the rest to the update.
 */
import { UnreadableDesiredState } from "./normalize";

/**
 * Reads a value, or gives undefined when it is unknown during a preview (or, for a Cloud Control
 * resource, unreadable: the resource policies report that).
 */
export function knownOrUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (isUnknownValueError(e) || e instanceof UnreadableDesiredState) {
      return undefined;
    }
    throw e;
  }
}

/** The policy SDK's UnknownValueError is internal to it; its class name identifies it. */
export function isUnknownValueError(e: unknown): boolean {
  return e instanceof Error && e.constructor.name === "UnknownValueError";
}
