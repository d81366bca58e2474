// What a figure's words may hold: characters that DejaVu Sans draws (the PNGs are drawn with it and nothing else, see
// png.ts), and real subscripts and symbols (Σᵢⱼ, θ₆, η) rather than ASCII stand-ins (Σ_ij, theta_6, e^{−σ}, eta).
import { readFileSync } from 'node:fs';
import { FONT_FILES, fontFile } from './png.ts';

/** The code points a TrueType/OpenType font maps to a glyph: its `cmap` subtables of format 4 (BMP) and 12 (all planes). */
export function fontCodePoints(file: string): Set<number> {
  const b = readFileSync(file),
    points = new Set<number>();
  let cmap = -1;
  for (let i = 0; i < b.readUInt16BE(4); i++)
    if (b.toString('latin1', 12 + 16 * i, 16 + 16 * i) === 'cmap') cmap = b.readUInt32BE(20 + 16 * i);
  if (cmap < 0) throw new Error(`${file}: no cmap table`);
  for (let t = 0; t < b.readUInt16BE(cmap + 2); t++) {
    const at = cmap + b.readUInt32BE(cmap + 8 + 8 * t),
      format = b.readUInt16BE(at);
    if (format === 4) {
      const segments = b.readUInt16BE(at + 6) / 2,
        ends = at + 14,
        starts = ends + 2 * segments + 2,
        deltas = starts + 2 * segments,
        offsets = deltas + 2 * segments;
      for (let s = 0; s < segments; s++) {
        const end = b.readUInt16BE(ends + 2 * s),
          start = b.readUInt16BE(starts + 2 * s),
          delta = b.readInt16BE(deltas + 2 * s),
          offset = b.readUInt16BE(offsets + 2 * s);
        for (let c = start; c <= end && c !== 0xffff; c++) {
          const raw = offset === 0 ? c : b.readUInt16BE(offsets + 2 * s + offset + 2 * (c - start));
          if (offset === 0 ? (c + delta) & 0xffff : raw) points.add(c);
        }
      }
    } else if (format === 12) {
      for (let g = 0; g < b.readUInt32BE(at + 12); g++) {
        const row = at + 16 + 12 * g,
          start = b.readUInt32BE(row),
          end = b.readUInt32BE(row + 4),
          glyph = b.readUInt32BE(row + 8);
        for (let c = start; c <= end; c++) if (glyph + c - start) points.add(c);
      }
    }
  }
  return points;
}

let faces: Set<number>[] | undefined;

/** The characters of `text` that one of the faces the PNGs use lacks (titles are bold, labels regular), each once. */
export function missingGlyphs(text: string): string[] {
  faces ??= FONT_FILES.map((f) => fontCodePoints(fontFile(f)));
  const missing = [...text].filter((ch) => /\S/u.test(ch) && faces!.some((f) => !f.has(ch.codePointAt(0)!)));
  return [...new Set(missing)];
}

const GREEK =
  'alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa|lambda|mu|nu|xi|rho|sigma|tau|phi|chi|psi|omega|' +
  'Gamma|Delta|Theta|Lambda|Xi|Sigma|Phi|Psi|Omega';
/** ASCII stand-ins for mathematics in a label, with what to write instead. */
const ASCII_MATH: [RegExp, string][] = [
  [/[\p{L}\p{N})\]|⟩]_(\{[^}]*\}|[\p{L}\p{N}]+)/u, 'a subscript written with _ (write Σᵢⱼ, θ₆, θₖ₊₁)'],
  [/[\p{L}\p{N})\]|⟩}]\^(\{[^}]*\}|[-−+]?[\p{L}\p{N}]+)/u, 'a power written with ^ (write x², 10⁻⁶, exp(−σ))'],
  [
    new RegExp(`(?<![\\p{L}\\p{N}_-])(${GREEK})(?![\\p{L}\\p{N}_-])`, 'u'),
    'a Greek letter spelled out (write η, θ, Σ)',
  ],
];

/** What is wrong with one label: characters DejaVu Sans lacks, and ASCII stand-ins for subscripts, powers and Greek letters. */
export function textProblems(text: string): string[] {
  const problems = missingGlyphs(text).map(
    (ch) =>
      `"${text}": DejaVu Sans has no glyph for ${ch} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`,
  );
  for (const [pattern, what] of ASCII_MATH) {
    const m = pattern.exec(text);
    if (m) problems.push(`"${text}": "${m[0]}" is ${what}`);
  }
  return problems;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x[\da-f]+|#\d+|\w+);/gi, (e, name: string) =>
    name[0] === '#'
      ? String.fromCodePoint(Number(name[1]!.toLowerCase() === 'x' ? `0${name.slice(1)}` : name.slice(1)))
      : (ENTITIES[name] ?? e),
  );

/** Every text the SVG draws (titles, axis titles and tick labels, legend labels, text marks). */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/g)].map((m) => decode(m[1]!.replace(/<[^>]+>/g, '')));
}

/** The font-family values an SVG names. */
export function svgFontFamilies(svg: string): string[] {
  const found = [...svg.matchAll(/font-family(?:="([^"]*)"|:\s*([^;"]*))/g)].map((m) => decode(m[1] ?? m[2]!).trim());
  return [...new Set(found)];
}

/**
 * The words of a Vega-Lite spec that readers see, drawn or not: titles and subtitles, axis and legend titles, `datum`
 * labels, tooltip titles, and the values of the nominal fields its legends and tooltips show (series names, elements).
 */
export function specTexts(spec: unknown): string[] {
  const texts: string[] = [],
    fields = new Set<string>(),
    rows: Record<string, unknown>[] = [];
  const strings = (v: unknown) =>
    typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((s) => typeof s === 'string') : [];
  const walk = (node: unknown, key: string) => {
    if (Array.isArray(node)) {
      if (key === 'values')
        rows.push(...node.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null));
      for (const n of node) walk(n, key);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    if (o.type === 'nominal' && typeof o.field === 'string') fields.add(o.field);
    if (typeof o.datum === 'string') texts.push(o.datum);
    for (const [k, v] of Object.entries(o)) {
      if (k === 'title' || k === 'subtitle' || k === 'text') texts.push(...strings(v));
      walk(v, k);
    }
  };
  walk(spec, '');
  for (const r of rows) for (const f of fields) if (typeof r[f] === 'string') texts.push(r[f] as string);
  return texts;
}

/** Everything wrong with the words of a figure: its SVG's texts and, when given, its spec's (tooltips, cut labels). */
export function labelProblems(svg: string, spec?: unknown): string[] {
  const texts = new Set([...svgTexts(svg), ...(spec === undefined ? [] : specTexts(spec))]);
  return [...texts].flatMap(textProblems);
}
