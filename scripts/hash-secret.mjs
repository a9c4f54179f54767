#!/usr/bin/env node
// Prints base64(SHA-256(secret)): the `value` of a client secret in config/identity.json.
// Usage: npm run hash-secret -- 'my secret'    or, keeping it out of the shell history:
//        npm run hash-secret < file-holding-the-secret
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const fromArgument = process.argv[2];
const secret = fromArgument ?? readFileSync(0, 'utf8').replace(/\r?\n$/, '');
if (!secret) {
  console.error('usage: npm run hash-secret -- <secret>   (or the secret on standard input)');
  process.exit(2);
}
console.log(createHash('sha256').update(secret, 'utf8').digest('base64'));
