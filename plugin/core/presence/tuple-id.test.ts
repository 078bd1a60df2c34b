import { isXsId, resourceForTupleId, tupleIdForResource } from './tuple-id';

describe('XMPP resource ⇄ PIDF tuple id (RFC 8048 §6.2 Table 1: "ID-" prefix, xs:ID)', () => {
  it.each([
    ['orchard', 'ID-orchard'],
    ['1234', 'ID-1234'],
    ['my phone', 'ID-my_20_phone'],
    ['a_b', 'ID-a_5f_b'],
    ['x/y@z:w', 'ID-x_2f_y_40_z_3a_w'],
    ['Gajim.ABC', 'ID-Gajim.ABC'],
    ['café', 'ID-caf_e9_'],
    ['😀', 'ID-_1f600_'],
    ['_20_', 'ID-_5f_20_5f_'],
  ])('maps resource %p to the valid xs:ID %p and back', (resource, id) => {
    expect(tupleIdForResource(resource)).toBe(id);
    expect(isXsId(id)).toBe(true);
    expect(resourceForTupleId(id)).toBe(resource);
  });

  it.each([
    ['a foreign id is used as the resource', 'a8098a', 'a8098a'],
    ['an empty id means no resource', '', undefined],
    ['the bare prefix means no resource', 'ID-', undefined],
    ['an escape beyond U+10FFFF is left as written', 'ID-_ffffff_', '_ffffff_'],
  ])('%s', (_n, id, resource) => expect(resourceForTupleId(id)).toBe(resource));

  it.each(['1abc', '-a', 'a b', ''])('recognises %p as not an xs:ID', (id) => expect(isXsId(id)).toBe(false));
});
