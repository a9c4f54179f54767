/**
 * What docs/reference.md says about one setting, declared beside the field so the reference is
 * generated from it (scripts/config-reference.ts, `npm run docs:reference`) and cannot drift.
 * It is documentation only: validation reads class-validator's decorators, never this.
 */
export type SettingDoc =
  | {
      /**
       * The "rule and meaning" cell (a configuration file's "rule"). `{rule}` stands for the rule the generator derives from the
       * field's validators (`Integer 0 to 65535`, `Duration`, `` `on` or `off` ``), and must
       * appear whenever the field has such a rule.
       */
      readonly meaning: string;
      /** Markdown for the default column, only where the field has no default value of its own. */
      readonly default?: string;
      /** Markdown for a configuration file's type column, where the validators do not tell it. */
      readonly type?: string;
    }
  | {
      /** Shares the row of that other field (`TLS_CERT_FILE`, `TLS_KEY_FILE`) instead of its own. */
      readonly sameRowAs: string;
    };

type Constructor = abstract new (...args: never[]) => object;

const docs = new WeakMap<object, Map<string, SettingDoc>>();

/** Declares the reference's text of the decorated setting. */
export function Documented(doc: SettingDoc): PropertyDecorator {
  return (prototype, property) => {
    const own = docs.get(prototype.constructor) ?? new Map<string, SettingDoc>();
    own.set(String(property), doc);
    docs.set(prototype.constructor, own);
  };
}

/** The documented settings declared by `dto` itself (not its base class), in source order. */
export function documentedSettings(dto: Constructor): ReadonlyMap<string, SettingDoc> {
  return docs.get(dto) ?? new Map();
}
