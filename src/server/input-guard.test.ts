// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, findHostileInput, findNul } from './input-guard';

/** `levels` arrays, one inside the other, around `inner`. */
function nested(levels: number, inner: unknown = 0): unknown {
  let value = inner;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

const NUL_TEXT = 'Text must not contain the NUL character (U+0000)';
const NUL_KEY = 'Keys must not contain the NUL character (U+0000)';
const TOO_DEEP = `JSON nested more than ${MAX_JSON_DEPTH} levels deep`;

describe('findHostileInput', () => {
  it.each([
    ['a string', 'Lan'],
    ['null', null],
    ['a number', 42],
    ['an ordinary request body', { clientId: 'c-1', mutations: [{ seq: 1, fields: { notes: 'ok', tags: ['a', 'b'] } }] }],
    [`${MAX_JSON_DEPTH} nested levels`, nested(MAX_JSON_DEPTH)],
  ])('accepts %s', (_label, value) => {
    expect(findHostileInput(value)).toBeUndefined();
  });

  it.each([
    ['a NUL in a top-level string', 'a\u0000b', [], NUL_TEXT],
    ['a NUL in a nested string', { user: { names: ['ok', 'x\u0000'] } }, ['user', 'names', 1], NUL_TEXT],
    ['a NUL in a key, at the object holding it', { user: { 'na\u0000me': 'x' } }, ['user'], NUL_KEY],
    ['one level more than the limit', nested(MAX_JSON_DEPTH + 1), Array(MAX_JSON_DEPTH).fill(0), TOO_DEEP],
  ])('refuses %s', (_label, value, path, message) => {
    expect(findHostileInput(value)).toEqual({ path, message });
  });

  it('refuses 100,000 nested arrays without overflowing the stack, reporting a path cut at the limit', () => {
    const found = findHostileInput(nested(100_000));
    expect(found?.message).toBe(TOO_DEEP);
    expect(found?.path).toHaveLength(MAX_JSON_DEPTH);
  });

  it.each([
    ['a NUL in a string', { mutations: [{ fields: { notes: 'a\u0000' } }] }],
    ['a NUL in a key', { mutations: [{ fields: { 'no\u0000tes': 'a' } }] }],
  ])('skipNul exempts a subtree from the NUL check: %s', (_label, value) => {
    const skip = (path: (string | number)[]) => path.length === 3 && path[2] === 'fields';
    expect(findHostileInput(value, skip)).toBeUndefined();
    expect(findHostileInput(value)).toBeDefined();
  });

  it('skipNul does not exempt a subtree from the depth check', () => {
    const value = { fields: nested(MAX_JSON_DEPTH) };
    expect(findHostileInput(value, (path) => path[0] === 'fields')?.message).toBe(TOO_DEEP);
  });
});

describe('findNul', () => {
  it.each([
    ['a string', { notes: 'a\u0000' }, ['notes']],
    ['an array item', { services: ['ok', '\u0000'] }, ['services', 1]],
    ['a key, at the object holding it', { address: { 'x\u0000': 1 } }, ['address']],
    ['nothing in clean input', { notes: 'ok' }, undefined],
    ['nothing in input that is only too deep', nested(MAX_JSON_DEPTH + 1), undefined],
  ])('finds %s', (_label, value, path) => {
    expect(findNul(value)).toEqual(path);
  });
});
