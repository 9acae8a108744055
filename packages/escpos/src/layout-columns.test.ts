import { describe, expect, it } from 'vitest';
import { layoutColumns } from './layout-columns.js';

describe('layoutColumns', () => {
  it('puts left and right on one line, right flush right', () => {
    expect(layoutColumns('Tea', '2.50', 12)).toEqual(['Tea     2.50']);
  });

  it('truncates the left side to keep one space before the right side', () => {
    expect(layoutColumns('Spaghetti carbonara', '14.50', 12)).toEqual(['Spaghe 14.50']);
    expect(layoutColumns('abcdefg', '12345', 12)).toEqual(['abcdef 12345']);
  });

  it('prints a lone side alone', () => {
    expect(layoutColumns('', '9.99', 8)).toEqual(['    9.99']);
    expect(layoutColumns('Only left and too long', '', 8)).toEqual(['Only lef']);
  });

  it('moves a right side that leaves no room for the left onto its own lines', () => {
    expect(layoutColumns('Fries', 'a very long note', 10)).toEqual(['Fries', '    a very', ' long note']);
    expect(layoutColumns('x', '123456789', 10)).toEqual(['x', ' 123456789']);
  });
});
