import { describe, expect, it } from 'vitest';
import { wrapText } from './wrap-text.js';

describe('wrapText', () => {
  it('keeps short lines and breaks at newlines', () => {
    expect(wrapText('one\ntwo\r\nthree\rfour', 10)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('turns empty paragraphs into empty lines', () => {
    expect(wrapText('', 10)).toEqual(['']);
    expect(wrapText('a\n\nb', 10)).toEqual(['a', '', 'b']);
  });

  it('breaks long lines at the last space that fits and drops the spaces there', () => {
    expect(wrapText('the quick brown fox', 10)).toEqual(['the quick', 'brown fox']);
    expect(wrapText('exactly ten more', 10)).toEqual(['exactly', 'ten more']);
    expect(wrapText('abcdefghij klm', 10)).toEqual(['abcdefghij', 'klm']);
    expect(wrapText('ab    cd', 3)).toEqual(['ab', 'cd']);
  });

  it('splits words longer than the line', () => {
    expect(wrapText('abcdefghijklmnop', 6)).toEqual(['abcdef', 'ghijkl', 'mnop']);
    expect(wrapText('hi abcdefghijkl', 6)).toEqual(['hi', 'abcdef', 'ghijkl']);
  });

  it('keeps the indentation of a paragraph without breaking inside it', () => {
    expect(wrapText('   + no onions please', 12)).toEqual(['   + no', 'onions', 'please']);
    expect(wrapText('      abcdefgh', 10)).toEqual(['      abcd', 'efgh']);
  });

  it('treats widths below 1 as 1', () => {
    expect(wrapText('ab', 0)).toEqual(['a', 'b']);
  });
});
