// End-to-end test support: real processes of the built apps, fixtures, and wire-level helpers.
export * from './processes';
export * from './fixtures';
export * from './oauth';
export * from './postgres';
export * from './management';
export * from './secrecy';
export * from './tcp-proxy';
export * from './assertions';
export * from './otlp-receiver';
