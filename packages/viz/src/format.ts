/** Number formatting shared by figure captions and the report, in one place so both say the same thing. */

/** `0.91234` → `'91.2%'`. */
export function percent(fraction: number, digits = 1): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)}%` : 'n/a';
}

/** A difference of two fractions in percentage points: `0.0712` → `'+7.1 pp'`. */
export function points(difference: number, digits = 1): string {
  if (!Number.isFinite(difference)) return 'n/a';
  const value = (difference * 100).toFixed(digits);
  return `${difference >= 0 ? '+' : ''}${value} pp`;
}

/** `12345` → `'12,345'`. */
export function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

/** "1 image", "2 images": a count with its noun in the right number. */
export function countOf(value: number, noun: string): string {
  return `${count(value)} ${value === 1 ? noun : `${noun}s`}`;
}

/** A p-value as people read it: `'0.032'`, `'1.2e-9'`, `'< 1e-300'`. */
export function pValue(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value === 0) return '< 1e-300';
  if (value >= 0.001) return value.toFixed(3);
  return value.toExponential(1);
}

/** Seconds as `'42.0 s'`, `'3 min 05 s'` or `'1 h 02 min'`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'n/a';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const wholeSeconds = Math.round(seconds);
  const minutes = Math.floor(wholeSeconds / 60);
  if (minutes < 60) return `${minutes} min ${String(wholeSeconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** A fixed-decimals number, or `'n/a'`. */
export function decimal(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** A size in bytes for people: `'812 B'`, `'31.4 KiB'`, `'1.62 MiB'`. */
export function bytes(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value < 1024) return `${Math.round(value)} B`;
  if (value < 1024 ** 2) return `${(value / 1024).toFixed(1)} KiB`;
  if (value < 1024 ** 3) return `${(value / 1024 ** 2).toFixed(2)} MiB`;
  return `${(value / 1024 ** 3).toFixed(2)} GiB`;
}

/** How many times `a` is `b`, e.g. `'335.6×'`; `'n/a'` when `b` is not positive. */
export function times(a: number, b: number): string {
  return b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(1)}×` : 'n/a';
}
