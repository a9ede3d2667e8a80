import { describe, expect, it } from 'vitest';
import { householdPriorityReasons, personPriority, walkInPriority, type PriorityReason } from './priority';

const YEAR = 2025;

type PersonArg = Parameters<typeof personPriority>[0];
type HouseholdArg = Parameters<typeof personPriority>[1];
type WalkInArg = Parameters<typeof walkInPriority>[0];

const person = (over: Partial<PersonArg> = {}): PersonArg => ({ birthYear: 1980, flags: { disability: false }, ...over });
const household = (povertyStatus: 'none' | 'near_poor' | 'poor' = 'none'): HouseholdArg => ({ povertyStatus });
const walkIn = (over: Partial<WalkInArg> = {}): WalkInArg => ({
  walkInBirthYear: 1980,
  walkInFlags: { disability: false, poorHousehold: false },
  ...over,
});

describe('personPriority', () => {
  it.each<[string, PersonArg, HouseholdArg, PriorityReason[]]>([
    ['a working-age person in an ordinary household is not priority', person(), household(), []],
    ['a person turning 60 this year is elderly', person({ birthYear: YEAR - 60 }), household(), ['elderly']],
    ['a person turning 59 this year is not yet elderly', person({ birthYear: YEAR - 59 }), household(), []],
    ['a person with no birth year is never elderly', person({ birthYear: undefined }), household(), []],
    ['a person with a disability is priority', person({ flags: { disability: true } }), household(), ['disability']],
    ['a person takes the near-poor status of their household', person(), household('near_poor'), ['near_poor']],
    ['a person takes the poor status of their household', person(), household('poor'), ['poor']],
    ['a person whose household is not on the device counts on their own', person({ birthYear: YEAR - 70 }), undefined, ['elderly']],
    [
      'every reason is listed, in the order badges show them',
      person({ birthYear: YEAR - 81, flags: { disability: true } }),
      household('poor'),
      ['elderly', 'disability', 'poor'],
    ],
  ])('%s', (_name, p, h, expected) => {
    expect(personPriority(p, h, YEAR)).toEqual(expected);
  });
});

describe('walkInPriority', () => {
  it.each<[string, WalkInArg, PriorityReason[]]>([
    ['a walk-in with nothing noted is not priority', walkIn(), []],
    ['an anonymous walk-in with no age or flags is not priority', {}, []],
    ['a walk-in aged 60 or more is elderly', walkIn({ walkInBirthYear: YEAR - 66 }), ['elderly']],
    ['a walk-in with a disability is priority', walkIn({ walkInFlags: { disability: true, poorHousehold: false } }), ['disability']],
    ['a walk-in from a poor household counts as poor', walkIn({ walkInFlags: { disability: false, poorHousehold: true } }), ['poor']],
    [
      'every reason is listed, in the order badges show them',
      walkIn({ walkInBirthYear: YEAR - 75, walkInFlags: { disability: true, poorHousehold: true } }),
      ['elderly', 'disability', 'poor'],
    ],
  ])('%s', (_name, entry, expected) => {
    expect(walkInPriority(entry, YEAR)).toEqual(expected);
  });
});

describe('householdPriorityReasons', () => {
  it('joins the household status with its living people, leaving out deleted ones', () => {
    const people = [
      { birthYear: YEAR - 70, flags: { disability: false } },
      { birthYear: 1990, flags: { disability: true }, deleted: true },
    ];
    expect(householdPriorityReasons({ povertyStatus: 'near_poor' }, people, YEAR)).toEqual(['elderly', 'near_poor']);
  });
});
