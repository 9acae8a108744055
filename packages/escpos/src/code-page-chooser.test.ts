import { describe, expect, it } from 'vitest';
import { codePage } from './code-page.js';
import { CodePageChooser } from './code-page-chooser.js';

const names = (segments: { page: { name: string }; text: string }[]) => segments.map((s) => [s.page.name, s.text]);

describe('CodePageChooser', () => {
  const chooser = new CodePageChooser(['cp437', 'cp858', 'cp1252', 'cp866', 'cp1251', 'cp737', 'cp1253']);
  const cp437 = codePage('cp437');

  it('gives the whole line to the first page that holds all of it', () => {
    expect(names(chooser.segments('Crème brûlée', cp437))).toEqual([['cp437', 'Crème brûlée']]);
    expect(names(chooser.segments('Crème brûlée €4.50', cp437))).toEqual([['cp858', 'Crème brûlée €4.50']]);
    expect(names(chooser.segments('Œuf “maison”', cp437))).toEqual([['cp1252', 'Œuf “maison”']]);
    expect(names(chooser.segments('Борщ', cp437))).toEqual([['cp866', 'Борщ']]);
    expect(names(chooser.segments('Борщ €4.50', cp437))).toEqual([['cp1251', 'Борщ €4.50']]);
    expect(names(chooser.segments('Σαλάτα', cp437))).toEqual([['cp737', 'Σαλάτα']]);
    expect(names(chooser.segments('Σαλάτα €', cp437))).toEqual([['cp1253', 'Σαλάτα €']]);
  });

  it('follows the order of the printer’s list', () => {
    const windowsFirst = new CodePageChooser(['cp1252', 'cp858', 'cp437']);
    expect(names(windowsFirst.segments('Café €', cp437))).toEqual([['cp1252', 'Café €']]);
  });

  it('keeps an ASCII line in the page already selected', () => {
    expect(names(chooser.segments('Total 12.50', codePage('cp866')))).toEqual([['cp866', 'Total 12.50']]);
  });

  it('splits a line that no single page holds, losing no character', () => {
    expect(names(chooser.segments('Crème Борщ Σαλάτα', cp437))).toEqual([
      ['cp437', 'Crème '],
      ['cp866', 'Борщ '],
      ['cp737', 'Σαλάτα'],
    ]);
  });

  it('replaces what no page holds with ? and lists it once', () => {
    expect(chooser.printable('شاورما 😀 拉面 é\u0007 😀')).toEqual({
      text: '?????? ? ?? é? ?',
      missing: ['ش', 'ا', 'و', 'ر', 'م', '😀', '拉', '面', '\u0007'],
    });
    expect(chooser.printable('e\u0301')).toEqual({ text: 'é', missing: [] });
  });

  it('refuses an empty list', () => {
    expect(() => new CodePageChooser([])).toThrow(RangeError);
  });
});
