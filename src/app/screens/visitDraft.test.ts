import { describe, expect, it } from 'vitest';
import { emptyPlatforms, type Outcome, type Person } from '../../shared/schemas';
import {
  emptyVisitDraft,
  emptyWalkIn,
  servicesInputProps,
  servicesToSave,
  stepErrors,
  stepsFor,
  visitFromDraft,
  walkInFromDraft,
  type VisitDraft,
  type WalkInDraft,
} from './visitDraft';

const HOUSEHOLD = 'hh-1';

function person(over: Partial<Person> = {}): Person {
  return {
    id: 'p-1',
    householdId: HOUSEHOLD,
    createdAt: '2025-03-01T08:00:00.000Z',
    updatedAt: '2025-03-01T08:00:00.000Z',
    deleted: false,
    wardCode: 'CUANAM',
    fullName: 'Trần Thị Đào',
    birthYear: 1954,
    flags: { disability: false, livesAlone: false },
    platforms: emptyPlatforms(),
    ...over,
  };
}

const draft = (over: Partial<VisitDraft> = {}): VisitDraft => ({ ...emptyVisitDraft(), ...over });
const walkIn = (over: Partial<WalkInDraft> = {}): WalkInDraft => ({ ...emptyWalkIn(), ...over });

describe('visitFromDraft', () => {
  it('records a helped visit with nothing changed as a visit with no people and no services', () => {
    const { input, origins } = visitFromDraft(HOUSEHOLD, draft(), [person()]);
    expect(input).toEqual({
      householdId: HOUSEHOLD,
      channel: 'door',
      outcome: 'helped',
      people: [],
      services: [],
      followUpOn: undefined,
      escalate: undefined,
      notes: undefined,
    });
    expect(origins).toEqual([]);
  });

  it('lists only the people with a change, in the household order, each with where its steps came from', () => {
    const people = [person({ id: 'a' }), person({ id: 'b' }), person({ id: 'c' })];
    const { input, origins } = visitFromDraft(
      HOUSEHOLD,
      draft({ steps: { c: { 'vneid.installed': { status: 'done' } }, a: { 'ihanoi.installed': { status: 'done' } } } }),
      people,
    );
    expect(input.people.map((p) => p.personId)).toEqual(['a', 'c']);
    expect(origins).toEqual([[{ personId: 'a', platform: 'ihanoi', step: 'installed' }], [{ personId: 'c', platform: 'vneid', step: 'installed' }]]);
  });

  it.each<[string, Outcome, number]>([
    ['a helped visit records the checklist and services', 'helped', 1],
    ['a revisit records the checklist and services', 'revisit', 1],
    ['nobody at home records neither', 'not_home', 0],
    ['a refusal records neither', 'declined', 0],
  ])('%s', (_name, outcome, expected) => {
    const { input } = visitFromDraft(
      HOUSEHOLD,
      draft({ outcome, steps: { 'p-1': { 'vneid.installed': { status: 'done' } } }, services: ['Cấp CCCD'], serviceInput: 'Đăng ký khai sinh' }),
      [person()],
    );
    expect(input.people).toHaveLength(expected);
    expect(input.services).toHaveLength(expected * 2);
  });

  it.each<[string, Parameters<typeof stepsFor>[0][string], object]>([
    ['a done step drops a leftover blocker', { status: 'done', blocker: 'no_smartphone', blockerText: 'x' }, { status: 'done' }],
    ['a blocked step keeps its blocker', { status: 'blocked', blocker: 'no_smartphone' }, { status: 'blocked', blocker: 'no_smartphone' }],
    [
      'a blocked step keeps its reason text, trimmed',
      { status: 'blocked', blocker: 'other', blockerText: '  quên mật khẩu  ' },
      { status: 'blocked', blocker: 'other', blockerText: 'quên mật khẩu' },
    ],
    ['a blank reason text is left out', { status: 'blocked', blocker: 'other', blockerText: '   ' }, { status: 'blocked', blocker: 'other' }],
  ])('%s', (_name, state, expected) => {
    const { input } = visitFromDraft(HOUSEHOLD, draft({ steps: { 'p-1': { 'vneid.level2': state } } }), [person()]);
    expect(input.people[0]?.steps).toEqual([{ platform: 'vneid', step: 'level2', ...expected }]);
  });

  it('records a new "did it alone" mark but never one the person already has', () => {
    const platforms = emptyPlatforms();
    platforms.vneid.independent = true;
    const { input } = visitFromDraft(HOUSEHOLD, draft({ independent: { 'p-1': ['vneid', 'ihanoi'] } }), [person({ platforms })]);
    expect(input.people).toEqual([{ personId: 'p-1', steps: [], independent: ['ihanoi'] }]);
  });

  it('leaves a person out when their only mark is one they already have', () => {
    const platforms = emptyPlatforms();
    platforms.vneid.independent = true;
    const { input } = visitFromDraft(HOUSEHOLD, draft({ independent: { 'p-1': ['vneid'] } }), [person({ platforms })]);
    expect(input.people).toEqual([]);
  });

  it('passes the follow-up date, escalation and notes through, blank ones as absent', () => {
    const { input } = visitFromDraft(
      HOUSEHOLD,
      draft({ followUpOn: '2025-03-08', escalate: true, escalateReason: 'account_problem', escalateDetail: 'Khoá tài khoản', notes: 'Hẹn chiều' }),
      [],
    );
    expect(input).toMatchObject({
      followUpOn: '2025-03-08',
      escalate: { reason: 'account_problem', detail: 'Khoá tài khoản' },
      notes: 'Hẹn chiều',
    });
    expect(visitFromDraft(HOUSEHOLD, draft({ escalateReason: 'account_problem' }), []).input.escalate).toBeUndefined();
  });
});

describe('walkInFromDraft', () => {
  it('records one helped walk-in at the point, with their flags', () => {
    const { input, origins } = walkInFromDraft('Nhà văn hoá TDP 5', walkIn({ name: '  Lê Văn Bình ', disability: true }));
    expect(input).toEqual({
      channel: 'literacy_point',
      literacyPointId: 'Nhà văn hoá TDP 5',
      outcome: 'helped',
      people: [{ walkInName: 'Lê Văn Bình', walkInFlags: { disability: true, poorHousehold: false }, steps: [] }],
      services: [],
    });
    expect(origins).toEqual([[]]);
  });

  it('leaves the name out of an anonymous walk-in even when one was typed', () => {
    const { input } = walkInFromDraft('Điểm 1', walkIn({ anonymous: true, name: 'Lê Văn Bình' }));
    expect(input.people[0]).not.toHaveProperty('walkInName');
  });

  it.each<[string, string, number | undefined]>([
    ['a blank birth year is left out', '  ', undefined],
    ['a typed birth year is a number', ' 1948 ', 1948],
    ['a birth year that is not a whole number goes through as NaN for the schema to reject', '19a8', Number.NaN],
  ])('%s', (_name, typed, expected) => {
    expect(walkInFromDraft('Điểm 1', walkIn({ birthYear: typed })).input.people[0]?.walkInBirthYear).toEqual(expected);
  });

  it('skips steps tapped back to not started, and keeps where the others came from', () => {
    const { input, origins } = walkInFromDraft(
      'Điểm 1',
      walkIn({ steps: { 'vneid.installed': { status: 'not_started' }, 'ihanoi.installed': { status: 'done' } }, independent: ['ihanoi'] }),
    );
    expect(input.people[0]).toMatchObject({ steps: [{ platform: 'ihanoi', step: 'installed', status: 'done' }], independent: ['ihanoi'] });
    expect(origins).toEqual([[{ platform: 'ihanoi', step: 'installed' }]]);
  });
});

describe('servicesToSave', () => {
  it.each<[string, string[], string, string[]]>([
    ['keeps the chips when nothing is typed', ['Cấp CCCD'], '  ', ['Cấp CCCD']],
    ['adds the text still in the box, trimmed', ['Cấp CCCD'], ' Đăng ký khai sinh ', ['Cấp CCCD', 'Đăng ký khai sinh']],
    ['does not add typed text that is already a chip', ['Cấp CCCD'], 'Cấp CCCD', ['Cấp CCCD']],
  ])('%s', (_name, chips, typed, expected) => {
    expect(servicesToSave(chips, typed)).toEqual(expected);
  });
});

describe('stepsFor', () => {
  it('picks one platform’s steps out of the "platform.step" keys', () => {
    expect(stepsFor({ 'vneid.installed': { status: 'done' }, 'ihanoi.installed': { status: 'blocked' } }, 'vneid')).toEqual({
      installed: { status: 'done' },
    });
  });
});

describe('stepErrors', () => {
  const origins = [
    [
      { personId: 'a', platform: 'vneid' as const, step: 'installed' },
      { personId: 'a', platform: 'ihanoi' as const, step: 'registered' },
    ],
    [{ personId: 'b', platform: 'vneid' as const, step: 'level2' }],
  ];
  const errors = {
    'people.0.steps.1.blocker': 'validation.blockerRequired',
    'people.1.steps.0.blockerText': 'validation.blockerText',
    notes: 'validation.tooLong',
  };

  it.each<[string, 'vneid' | 'ihanoi', string | undefined, Record<string, string>]>([
    ['an error lands under the chip that made it', 'ihanoi', 'a', { registered: 'validation.blockerRequired' }],
    ['another person’s error on the same platform stays with them', 'vneid', 'b', { level2: 'validation.blockerText' }],
    ['a checklist with no failed step gets no errors', 'vneid', 'a', {}],
    ['a walk-in (no person id) gets no registered person’s errors', 'ihanoi', undefined, {}],
  ])('%s', (_name, platform, personId, expected) => {
    expect(stepErrors(errors, origins, platform, personId)).toEqual(expected);
  });
});

describe('servicesInputProps', () => {
  it('shows the draft’s services with the first error about them, and writes changes back into the draft', () => {
    let draft: WalkInDraft = { ...emptyWalkIn(), services: ['Đăng ký tạm trú'], serviceInput: 'Cấp' };
    const props = servicesInputProps(draft, (fn) => (draft = fn(draft)), { notes: 'validation.tooLong', 'services.0': 'validation.required' });
    expect(props).toMatchObject({ services: ['Đăng ký tạm trú'], input: 'Cấp', error: 'validation.required' });
    props.onServices(['Cấp căn cước']);
    props.onInput('');
    expect(draft).toMatchObject({ services: ['Cấp căn cước'], serviceInput: '' });
  });
});
