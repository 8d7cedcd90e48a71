/** Injection token for the typed {@link Settings}. */
export const SETTINGS = Symbol('SETTINGS');
