import { describe, expect, it } from 'vitest';
import { bytes } from '../test/byte-stream.js';
import { describeBarcode, toBarcodeCommandData } from './barcode-symbology.js';

describe('barcode symbology', () => {
  it('round-trips document data through the GS k bytes', () => {
    for (const [symbology, data] of [
      ['code128', 'Order {42} #7'],
      ['code39', 'ABC 123-$%'],
      ['ean13', '4006381333931'],
      ['upca', '036000291452'],
    ] as const) {
      const { m, data: payload } = toBarcodeCommandData(symbology, data);
      expect(describeBarcode(m, payload)).toEqual({ symbology, data });
    }
  });

  it('resolves CODE128 code sets, shifts and function codes', () => {
    expect(describeBarcode(73, bytes('{A', 'AB', '{C', 12, 5, 99, '{B', 'x{1y{{'))).toEqual({
      symbology: 'code128',
      data: 'AB120599xy{',
    });
  });

  it('names function A symbologies like function B and strips CODE39 start/stop', () => {
    expect(describeBarcode(2, bytes('400638133393'))).toEqual({ symbology: 'ean13', data: '400638133393' });
    expect(describeBarcode(4, bytes('*AB*'))).toEqual({ symbology: 'code39', data: 'AB' });
    expect(describeBarcode(75, bytes('0123'))).toEqual({ symbology: 'gs1-databar-omnidirectional', data: '0123' });
    expect(describeBarcode(80, bytes('x'))).toEqual({ symbology: 'unknown-80', data: 'x' });
  });

  it('rejects CODE128 data longer than one GS k length byte', () => {
    expect(() => toBarcodeCommandData('code128', 'x'.repeat(254))).toThrow(RangeError);
    expect(toBarcodeCommandData('code128', 'x'.repeat(253)).data).toHaveLength(255);
  });
});
