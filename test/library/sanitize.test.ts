import { describe, expect, it } from 'vitest';
import { cutToBytes, numberedName, sanitizeComponent } from '../../src/library/sanitize.js';

describe('sanitizeComponent', () => {
  it.each([
    ['plain', 'Daft Punk - One More Time', 'Daft Punk - One More Time'],
    ['slash in a name', 'AC/DC - Back In Black', 'AC-DC - Back In Black'],
    ['spaced slash', 'Love / Hate', 'Love - Hate'],
    ['backslash', 'a\\b', 'a-b'],
    ['dot-dot escape', '../../etc/passwd', 'etc-passwd'],
    ['only dots', '..', '_'],
    ['hidden-file dot', '.hidden', 'hidden'],
    ['colon subtitle', 'Title: Subtitle', 'Title - Subtitle'],
    ['bare colon', '12:34', '12-34'],
    ['windows forbidden', 'Who? What* <Why> "Now" | Then', "Who What Why 'Now' - Then"],
    ['control chars and NUL', 'a\u0000b\u0007c\nd\te', 'abc d e'],
    ['trailing dots and spaces', 'Mr. Jones...  ', 'Mr. Jones'],
    ['leading spaces', '   x', 'x'],
    ['reserved CON', 'CON', 'CON_'],
    ['reserved with extension-like dot', 'aux.mix', 'aux.mix_'],
    ['reserved case-insensitive', 'lpt9', 'lpt9_'],
    ['not reserved', 'CONSOLE', 'CONSOLE'],
    ['COM0 not reserved', 'COM0', 'COM0'],
    ['empty', '', '_'],
    ['RTL marks stay', 'שלום\u200F - עולם', 'שלום\u200F - עולם'],
    ['bidi override removed', 'song\u202Ecalf.exe', 'songcalf.exe'],
    ['emoji stay', '🔥 Fire 🔥', '🔥 Fire 🔥'],
    ['NFC', 'Beyonce\u0301', 'Beyoncé'],
  ])('%s', (_name, input, expected) => {
    expect(sanitizeComponent(input)).toBe(expected);
  });

  it('keeps reserved names safe with an extension', () => {
    expect(sanitizeComponent('NUL', { extension: '.flac' })).toBe('NUL_.flac');
    expect(sanitizeComponent('com1 ', { extension: '.flac' })).toBe('com1_.flac');
  });

  it('cuts long names to 255 bytes on a character boundary, keeping the extension', () => {
    const long = 'é'.repeat(300); // 600 bytes
    const out = sanitizeComponent(long, { extension: '.flac' });
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(255);
    expect(out.endsWith('.flac')).toBe(true);
    expect(out).toBe(`${'é'.repeat(125)}.flac`);
    const emoji = '👩‍👩‍👧‍👦'.repeat(20); // 25 bytes each
    const cut = cutToBytes(emoji, 100);
    expect(cut).toBe('👩‍👩‍👧‍👦'.repeat(4));
    // A cut that would end in a space or dot is trimmed.
    expect(cutToBytes('abc. def', 4)).toBe('abc');
  });

  it('numbers collisions within the byte limit', () => {
    expect(numberedName('A - B.flac', 2, '.flac')).toBe('A - B (2).flac');
    const long = `${'x'.repeat(250)}.flac`;
    const n = numberedName(long, 12, '.flac');
    expect(Buffer.byteLength(n)).toBeLessThanOrEqual(255);
    expect(n.endsWith(' (12).flac')).toBe(true);
  });
});
