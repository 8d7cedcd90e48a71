import type { z } from 'zod';

/**
 * One environment variable: its name, the zod schema that parses its text (type, default, bounds,
 * and any conversion into the unit the code uses), and a description for the settings reference.
 * Where it sits in a {@link SettingsTree} is where its value sits in the typed settings.
 */
export interface EnvSetting<S extends z.ZodType = z.ZodType> {
  readonly variable: string;
  readonly schema: S;
  readonly description: string;
  /** The heading it is listed under in docs/configuration.md (set by {@link area}). */
  readonly area: string;
}

/** The shape of the typed settings, with an {@link EnvSetting} at every leaf. */
export interface SettingsTree {
  readonly [key: string]: EnvSetting | SettingsTree;
}

/** The typed value of a tree: each leaf replaced by what its schema outputs. */
export type SettingsOf<T> = {
  -readonly [K in keyof T]: T[K] extends EnvSetting<infer S> ? z.output<S> : SettingsOf<T[K]>;
};

/** Declares the variable `variable`; the schema's default is written in the variable's own terms. */
export function env<S extends z.ZodType>(
  variable: string,
  schema: S,
  description: string,
): EnvSetting<S> {
  return { variable, schema, description, area: '' };
}

/** Puts every variable of `tree` under the heading `title` of the reference. */
export function area<T extends SettingsTree>(title: string, tree: T): T {
  const tagged: Record<string, EnvSetting | SettingsTree> = {};
  for (const [key, node] of Object.entries(tree)) {
    tagged[key] = isEnvSetting(node) ? { ...node, area: title } : area(title, node);
  }
  return tagged as T;
}

export function isEnvSetting(node: EnvSetting | SettingsTree): node is EnvSetting {
  return typeof node.variable === 'string' && 'schema' in node;
}

/** Every variable of the tree, in declaration order, with the path of its value. */
export function envSettingsOf(
  tree: SettingsTree,
  at: readonly string[] = [],
): { path: readonly string[]; setting: EnvSetting }[] {
  return Object.entries(tree).flatMap(([key, node]) =>
    isEnvSetting(node)
      ? [{ path: [...at, key], setting: node }]
      : envSettingsOf(node, [...at, key]),
  );
}

/** Like {@link envSettingsOf}, and refuses a variable declared twice (say, after a merge). */
export function declaredOnce(
  tree: SettingsTree,
): { path: readonly string[]; setting: EnvSetting }[] {
  const declared = envSettingsOf(tree);
  const names = declared.map((d) => d.setting.variable);
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) {
    throw new Error(`Settings declared more than once: ${[...new Set(repeated)].join(', ')}`);
  }
  return declared;
}

/** Places the parsed value of each variable (keyed by variable name) at its path in the tree. */
export function nestValues<T extends SettingsTree>(
  tree: T,
  values: Readonly<Record<string, unknown>>,
): SettingsOf<T> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(tree)) {
    out[key] = isEnvSetting(node) ? values[node.variable] : nestValues(node, values);
  }
  return out as SettingsOf<T>;
}
