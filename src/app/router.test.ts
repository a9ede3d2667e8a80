import { describe, expect, it } from 'vitest';
import { parseRoute, paths } from './router';

describe('enrolment and console routes', () => {
  it.each([
    [paths.enrol('abc_DEF-123'), { name: 'enrol', token: 'abc_DEF-123' }],
    [paths.consoleTeam(), { name: 'consoleTeam' }],
    [paths.consoleEnrol(), { name: 'consoleEnrol' }],
    ['/enrol', { name: 'notFound' }],
    ['/enrol/a/b', { name: 'notFound' }],
    ['/console/other', { name: 'consoleNotFound' }], // shown inside the console shell
  ])('%s parses to %o', (path, route) => {
    expect(parseRoute(`#${path}`)).toEqual(route);
  });
});
