// WCAG 2.1 contrast maths, checked against published reference values.
import { describe, expect, it } from 'vitest';
import { contrastOf, isHexColor, MIN_TEXT_CONTRAST, parseHex, relativeLuminance, suggestShade, toHex } from '../../shared/contrast';

describe('contrast', () => {
  it('parses and prints hex colours', () => {
    expect(parseHex('#fff')).toEqual({ r: 255, g: 255, b: 255 });
    expect(parseHex('#1F4E8C')).toEqual({ r: 31, g: 78, b: 140 });
    expect(parseHex('red')).toBeNull();
    expect(parseHex('#12345')).toBeNull();
    expect(isHexColor('#abcdef')).toBe(true);
    expect(toHex({ r: 31, g: 78, b: 140 })).toBe('#1f4e8c');
  });

  it('matches the WCAG end points and known pairs', () => {
    expect(relativeLuminance({ r: 0, g: 0, b: 0 })).toBe(0);
    expect(relativeLuminance({ r: 255, g: 255, b: 255 })).toBeCloseTo(1, 10);
    expect(contrastOf('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastOf('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    // Reference values from the WebAIM contrast checker.
    expect(contrastOf('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastOf('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrastOf('#0000ff', '#ffffff')).toBeCloseTo(8.59, 2);
    expect(contrastOf('#ff0000', '#ffffff')).toBeCloseTo(4.0, 2);
    expect(contrastOf('x', '#fff')).toBeNull();
  });

  it('is symmetric', () => {
    expect(contrastOf('#1f4e8c', '#ffffff')).toBeCloseTo(contrastOf('#ffffff', '#1f4e8c')!, 10);
  });

  it('suggests the nearest darker shade for white text, lighter for dark text', () => {
    const darker = suggestShade('#ffdd00', '#ffffff')!;
    expect(contrastOf(darker, '#ffffff')).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    expect(contrastOf(darker, '#ffffff')).toBeLessThan(4.8);
    expect(parseHex(darker)!.r).toBeLessThan(255);
    const lighter = suggestShade('#333333', '#000000')!;
    expect(contrastOf(lighter, '#000000')).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    expect(parseHex(lighter)!.r).toBeGreaterThan(0x33);
    expect(suggestShade('#1f4e8c', '#ffffff')).toBeNull();
  });
});
