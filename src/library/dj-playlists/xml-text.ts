/** Text for XML attributes: escaped, and without characters XML 1.0 cannot carry at all. */
export function attr(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return (
    String(value)
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/"/g, '&quot;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/\r/g, '&#13;')
      .replace(/\n/g, '&#10;')
      .replace(/\t/g, '&#9;')
  );
}

/** ` Name="value"` pairs, leaving out the ones with no value. */
export function attrs(pairs: Record<string, string | number | null | undefined>): string {
  return Object.entries(pairs)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${attr(v)}"`)
    .join('');
}
