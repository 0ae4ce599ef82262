/**
 * The shape every language's dictionary has, derived from English (en.ts, the source of keys):
 * a string per text key, and per plural group one string for each plural form the language
 * has. A type-only module; imported by the language files and ./index.ts.
 */
import type en from "./en";

type Source = typeof en;

export type PluralForm = Intl.LDMLPluralRule;

export type Dictionary<Form extends PluralForm> = {
  readonly [K in keyof Source]: Source[K] extends string ? string : { readonly [F in Form]: string };
};

/** A key whose value is one text: `t(key, vars)`. */
export type TextKey = { [K in keyof Source]: Source[K] extends string ? K : never }[keyof Source];

/** A key whose value is a plural group: `tn(key, count)`. */
export type PluralKey = Exclude<keyof Source, TextKey>;
