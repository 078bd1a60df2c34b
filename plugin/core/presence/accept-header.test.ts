import { acceptsPidf } from './accept-header';

describe('a SUBSCRIBE\'s Accept admits PIDF, or the answer is 406 (RFC 6665 §3.1.2, RFC 3261 §20.1, §21.4.7)', () => {
  it.each([
    [undefined, true, 'absent: the package default, PIDF (RFC 3856 §6.6)'],
    ['application/pidf+xml', true, 'exact'],
    ['APPLICATION/PIDF+XML', true, 'case-insensitive'],
    ['application/xpidf+xml, application/pidf+xml;q=0.5', true, 'one of several'],
    ['application/*', true, 'subtype wildcard'],
    ['*/*', true, 'full wildcard'],
    ['application/xpidf+xml', false, 'only the pre-standard XPIDF'],
    ['application/cpim-pidf+xml', false, 'only CPIM-PIDF'],
    ['application/pidf+xml;q=0', false, 'PIDF explicitly refused (q=0)'],
    ['text/*', false, 'another type'],
    ['application/pidf+xml-diff', false, 'a longer subtype is not PIDF'],
  ])('%s → %s (%s)', (accept: string | undefined, ok: boolean, _why: string) => {
    expect(acceptsPidf(accept)).toBe(ok);
  });
});
