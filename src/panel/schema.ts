// Small runtime schemas for plain JSON data. Each schema reports the first problem it finds
// as a path and a reason, such as `snapshot.routing.context[2].probs[3]: expected a finite number`.
// Shared by the extension host and the webview bundle, so it must not import `vscode`.

export interface Schema<T> {
  /** Returns a description of the first mismatch, or undefined when `value` matches. */
  problem(value: unknown, path: string): string | undefined;
  /** Never set; ties the schema to the type it checks. */
  readonly type?: T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export type CheckResult<T> = { ok: true; value: T } | { ok: false; problem: string };

export function check<T>(schema: Schema<T>, value: unknown, path: string): CheckResult<T> {
  const problem = schema.problem(value, path);
  return problem === undefined ? { ok: true, value: value as T } : { ok: false, problem };
}

export function string(maxLength: number): Schema<string> {
  return {
    problem(value, path) {
      if (typeof value !== 'string') return `${path}: expected a string, got ${describe(value)}`;
      if (value.length > maxLength) return `${path}: string of ${value.length} characters exceeds ${maxLength}`;
      return undefined;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    problem(value, path) {
      return typeof value === 'boolean' ? undefined : `${path}: expected a boolean, got ${describe(value)}`;
    },
  };
}

export function number(options: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> {
  return {
    problem(value, path) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return `${path}: expected a finite number, got ${describe(value)}`;
      }
      if (options.integer && !Number.isInteger(value)) return `${path}: expected an integer, got ${value}`;
      if (options.min !== undefined && value < options.min) return `${path}: ${value} is below ${options.min}`;
      if (options.max !== undefined && value > options.max) return `${path}: ${value} is above ${options.max}`;
      return undefined;
    },
  };
}

export function literal<const T extends string>(...allowed: T[]): Schema<T> {
  return {
    problem(value, path) {
      if (typeof value === 'string' && (allowed as string[]).includes(value)) return undefined;
      return `${path}: expected one of ${allowed.map((item) => JSON.stringify(item)).join(', ')}, got ${describe(value)}`;
    },
  };
}

export function array<T>(item: Schema<T>, maxLength: number): Schema<T[]> {
  return {
    problem(value, path) {
      if (!Array.isArray(value)) return `${path}: expected an array, got ${describe(value)}`;
      if (value.length > maxLength) return `${path}: array of ${value.length} items exceeds ${maxLength}`;
      for (let i = 0; i < value.length; i++) {
        const problem = item.problem(value[i], `${path}[${i}]`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    },
  };
}

/** A string-keyed map such as a domain posterior. */
export function record<T>(item: Schema<T>, maxKeys: number, maxKeyLength: number): Schema<Record<string, T>> {
  return {
    problem(value, path) {
      if (!isPlainObject(value)) return `${path}: expected an object, got ${describe(value)}`;
      const keys = Object.keys(value);
      if (keys.length > maxKeys) return `${path}: object with ${keys.length} keys exceeds ${maxKeys}`;
      for (const key of keys) {
        if (key.length > maxKeyLength) return `${path}: key of ${key.length} characters exceeds ${maxKeyLength}`;
        const problem = item.problem(value[key], `${path}.${key}`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    },
  };
}

interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    optional: true,
    problem(value, path) {
      return value === undefined ? undefined : inner.problem(value, path);
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined>;
};

/** An object with the given properties. Unknown properties are allowed and ignored by callers. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return {
    problem(value, path) {
      if (!isPlainObject(value)) return `${path}: expected an object, got ${describe(value)}`;
      for (const key of Object.keys(shape)) {
        const problem = shape[key].problem(value[key], `${path}.${key}`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    },
  };
}

/** One of several object shapes, chosen by the string property `tag`. */
export function taggedUnion<T>(tag: string, variants: Record<string, Schema<T>>): Schema<T> {
  return {
    problem(value, path) {
      if (!isPlainObject(value)) return `${path}: expected an object, got ${describe(value)}`;
      const kind = value[tag];
      if (typeof kind !== 'string' || !Object.hasOwn(variants, kind)) {
        const known = Object.keys(variants).map((name) => JSON.stringify(name)).join(', ');
        return `${path}.${tag}: expected one of ${known}, got ${describe(kind)}`;
      }
      return variants[kind].problem(value, path);
    },
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
