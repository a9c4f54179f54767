import fc from 'fast-check';
import { hasDuplicateMemberNames } from './json-duplicate-members';

describe('hasDuplicateMemberNames', () => {
  it.each([
    ['a repeated header member', '{"alg":"none","typ":"at+jwt","alg":"RS256"}'],
    ['a repeated claim', '{"aud":"api2","iss":"x","aud":"api1"}'],
    ['the same name written with an escape', '{"aud":"api2","\\u0061ud":"api1"}'],
    ['an escaped quote in both names', '{"a\\"b":1,"a\\u0022b":2}'],
    ['whitespace around the colon', '{ "exp" : 1 ,\n\t"exp"\r\n:\n2 }'],
    ['a repeat in a nested object', '{"cnf":{"jkt":"a","jkt":"b"}}'],
    ['a repeat in an object inside an array', '{"list":[1,{"a":1,"a":1}]}'],
    ['a repeat after a nested object closes', '{"a":{"b":{"c":1}},"a":2}'],
    ['values of every type between', '{"a":[true,false,null,-1.5e3,"}"],"b":{},"a":0}'],
  ])('finds %s', (_case, json) => {
    expect(hasDuplicateMemberNames(json)).toBe(true);
  });

  it.each([
    ['distinct members', '{"alg":"RS256","typ":"at+jwt","kid":"k"}'],
    ['the same name in sibling objects', '{"a":{"x":1},"b":{"x":1}}'],
    ['a name in an object and in its parent', '{"x":{"x":{"x":1}}}'],
    ['a value equal to a name', '{"aud":"aud","scope":"aud"}'],
    ['names that differ only by case', '{"Alg":1,"alg":2}'],
    [
      'strings holding braces, colons, quotes and backslashes',
      '{"a":"{\\"a\\":1}:","b":"\\\\","c":"\\\\\\""}',
    ],
    ['an array of strings followed by colons in strings', '{"a":["b",":"],"b":":"}'],
    ['an empty object', '{}'],
  ])('accepts %s', (_case, json) => {
    expect(hasDuplicateMemberNames(json)).toBe(false);
  });

  it('agrees with JSON.parse on every JSON object written by JSON.stringify (no duplicates)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(hasDuplicateMemberNames(JSON.stringify(value))).toBe(false);
      }),
    );
  });

  it('finds a member repeated anywhere in an object, at any depth', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.string(),
        fc.jsonValue(),
        (object, name, value) => {
          const members = JSON.stringify({ ...object, [name]: value }).slice(1, -1);
          const repeated = `${JSON.stringify(name)}:${JSON.stringify(value)}`;
          const json = `{${members === '' ? '' : `${members},`}${repeated}}`;
          expect(hasDuplicateMemberNames(json)).toBe(true);
          expect(hasDuplicateMemberNames(`{"outer":[${json}]}`)).toBe(true);
        },
      ),
    );
  });
});
