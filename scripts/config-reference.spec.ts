import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Documented } from '../libs/shared/src/config/documented';
import {
  configFileRows,
  environmentRows,
  generatedSection,
  renderGeneratedSections,
  renderTable,
  withGeneratedSections,
} from './config-reference';

describe('docs/reference.md generated sections', () => {
  const reference = readFileSync(join(__dirname, '..', 'docs', 'reference.md'), 'utf8');

  // The CI check: a DTO's rule, default or @Documented text changed without the reference.
  it.each([...renderGeneratedSections()])('"%s" is what the DTOs say now', (section, generated) => {
    const documented = generatedSection(reference, section);
    if (documented !== generated) {
      throw new Error(
        `docs/reference.md's generated section "${section}" is out of date: run npm run docs:reference\n\n` +
          `expected:\n${generated}\n\nfound:\n${documented}`,
      );
    }
  });
});

describe('config reference generator', () => {
  class Base {
    @Documented({ meaning: '{rule}.' })
    @IsIn(['a', 'b', 'c'])
    MODE = 'a';
  }

  class Sample extends Base {
    @Documented({ meaning: '{rule}: how many.' })
    @IsInt()
    @Min(1)
    @Max(9)
    COUNT = 3;

    @Documented({ default: 'unset (none)', meaning: 'Lower case.' })
    @IsOptional()
    @Matches(/^[a-z]+$/)
    NAME?: string;

    @Documented({ meaning: 'Anything.' })
    @IsOptional()
    @IsString()
    FIRST?: string;

    @Documented({ sameRowAs: 'FIRST' })
    @IsOptional()
    @IsString()
    SECOND?: string;
  }

  it('renders the rule from the validators, the default from the instance, own fields only', () => {
    expect(environmentRows(Sample)).toEqual([
      ['`COUNT`', '`3`', 'Integer 1 to 9: how many.'],
      ['`NAME`', 'unset (none)', 'Lower case.'],
      ['`FIRST`, `SECOND`', 'unset', 'Anything.'],
    ]);
    expect(environmentRows(Base)).toEqual([['`MODE`', '`a`', '`a`, `b` or `c`.']]);
  });

  it('refuses a meaning that hides a derivable rule', () => {
    class Hidden {
      @Documented({ meaning: 'a, b or c.' })
      @IsIn(['a', 'b', 'c'])
      MODE = 'a';
    }
    expect(() => environmentRows(Hidden)).toThrow('Hidden.MODE: its meaning must say {rule}');
  });

  it('refuses a declared default that would hide a real one', () => {
    class Masked {
      @Documented({ default: '`2`', meaning: '{rule}.' })
      @IsInt()
      COUNT = 3;
    }
    expect(() => environmentRows(Masked)).toThrow('Masked.COUNT: its default is 3');
  });

  it('refuses a validated field without @Documented', () => {
    class Undocumented {
      @IsString()
      NAME = 'x';
    }
    expect(() => environmentRows(Undocumented)).toThrow('Undocumented: NAME lack @Documented');
  });

  it('pads tables as prettier does', () => {
    expect(renderTable([['`A`', '`1`', 'One.']])).toBe(
      [
        '| name | default | rule and meaning |',
        '| ---- | ------- | ---------------- |',
        '| `A`  | `1`     | One.             |',
      ].join('\n'),
    );
  });

  it('replaces only the text between the markers', () => {
    const markdown = 'before\n<!-- generated: x -->\n\nold\n\n<!-- end generated -->\nafter\n';
    const rewritten = withGeneratedSections(markdown, new Map([['x', 'new']]));
    expect(rewritten).toBe(
      'before\n<!-- generated: x -->\n\nnew\n\n<!-- end generated -->\nafter\n',
    );
    expect(generatedSection(rewritten, 'x')).toBe('new');
    expect(() => generatedSection('no markers', 'x')).toThrow('lacks');
  });

  it('renders a configuration file object: type from the validators, required or absent, range', () => {
    class Entry {
      @Documented({ meaning: 'Unique.' })
      @IsString()
      name!: string;

      @Documented({ meaning: '' })
      @IsOptional()
      @IsString()
      note?: string;

      @Documented({ meaning: 'Seconds, {rule}.' })
      @Min(1)
      @Max(60)
      @IsInt()
      ttl = 30;

      @Documented({ meaning: '' })
      @IsBoolean()
      on = true;

      @Documented({ meaning: '' })
      @IsIn(['x', 'y'])
      kind = 'x';

      @Documented({ meaning: '' })
      @IsArray()
      @IsString({ each: true })
      tags: string[] = [];

      @Documented({ type: '[entry](#entries)[]', meaning: '' })
      @IsArray()
      @ValidateNested({ each: true })
      children: Entry[] = [];
    }
    expect(configFileRows(Entry)).toEqual([
      ['`name`', 'string', 'required', 'Unique.'],
      ['`note`', 'string', '—', ''],
      ['`ttl`', 'integer', '`30`', 'Seconds, 1 to 60.'],
      ['`on`', 'boolean', '`true`', ''],
      ['`kind`', '`x` \\| `y`', '`x`', ''],
      ['`tags`', 'string[]', '`[]`', ''],
      ['`children`', '[entry](#entries)[]', '`[]`', ''],
    ]);
  });

  it('refuses a nested field whose type is not declared', () => {
    class Nested {
      @Documented({ meaning: '' })
      @IsArray()
      @ValidateNested({ each: true })
      items: object[] = [];
    }
    expect(() => configFileRows(Nested)).toThrow('Nested.items: declare its type');
  });
});
