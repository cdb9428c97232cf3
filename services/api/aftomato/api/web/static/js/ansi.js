// Our own ANSI escape parser for the console: SGR colours and styles become spans; every other
// control sequence is dropped. Text only ever reaches the page through textContent.

const ESCAPES = /\x1b\[([0-9;:?]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\r/g;

/** The style a line starts with: nothing set. Parse results carry the state to the next line. */
export const PLAIN = Object.freeze({ bold: false, dim: false, italic: false, underline: false,
  inverse: false, fg: null, bg: null });

/**
 * Splits `text` into segments of one style each: `[{ text, style }]`, and the style in force at
 * its end (colours may span lines). A colour is a palette index 0–15 or an `rgb(r, g, b)` string.
 */
export function parseAnsi(text, state = PLAIN) {
  let style = { ...state };
  let segments = [];
  let last = 0;
  for (const match of text.matchAll(ESCAPES)) {
    if (match.index > last) segments.push({ text: text.slice(last, match.index), style });
    last = match.index + match[0].length;
    if (match[0] === "\r") {
      if (last < text.length) segments = []; // a carriage return redraws the line, as a terminal would
    } else if (match[2] === "m") {
      style = applySgr(style, match[1]);
    }
  }
  if (last < text.length) segments.push({ text: text.slice(last), style });
  return { segments: merge(segments), state: style };
}

function merge(segments) {
  const merged = [];
  for (const segment of segments) {
    const previous = merged[merged.length - 1];
    if (previous && previous.style === segment.style) previous.text += segment.text;
    else merged.push({ ...segment });
  }
  return merged;
}

/** The style after the SGR parameters `params` ("1;31", "38;5;208", "" = reset). */
export function applySgr(style, params) {
  const codes = params === "" ? [0] : params.split(/[;:]/).map((part) => (part === "" ? 0 : Number(part)));
  const next = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i];
    if (code === 38 || code === 48) {
      const [colour, used] = extendedColour(codes, i + 1);
      next[code === 38 ? "fg" : "bg"] = colour;
      i += used;
    } else {
      applyCode(next, code);
    }
  }
  return next;
}

const SIMPLE = {
  0: (s) => Object.assign(s, PLAIN), 1: (s) => { s.bold = true; }, 2: (s) => { s.dim = true; },
  3: (s) => { s.italic = true; }, 4: (s) => { s.underline = true; }, 7: (s) => { s.inverse = true; },
  22: (s) => { s.bold = false; s.dim = false; }, 23: (s) => { s.italic = false; },
  24: (s) => { s.underline = false; }, 27: (s) => { s.inverse = false; },
  39: (s) => { s.fg = null; }, 49: (s) => { s.bg = null; },
};

function applyCode(style, code) {
  if (SIMPLE[code]) SIMPLE[code](style);
  else if (code >= 30 && code <= 37) style.fg = code - 30;
  else if (code >= 40 && code <= 47) style.bg = code - 40;
  else if (code >= 90 && code <= 97) style.fg = code - 90 + 8;
  else if (code >= 100 && code <= 107) style.bg = code - 100 + 8;
}

function extendedColour(codes, at) {
  if (codes[at] === 5 && codes[at + 1] !== undefined) return [paletteColour(codes[at + 1]), 2];
  if (codes[at] === 2 && codes[at + 3] !== undefined) {
    const [r, g, b] = codes.slice(at + 1, at + 4).map(clampByte);
    return [`rgb(${r}, ${g}, ${b})`, 4];
  }
  return [null, codes.length]; // malformed: ignore the rest of the sequence
}

const CUBE = [0, 95, 135, 175, 215, 255];

/** The xterm 256-colour palette: 0–15 stay indices (themed by CSS), the rest become rgb(). */
export function paletteColour(index) {
  const n = clampByte(index);
  if (n < 16) return n;
  if (n >= 232) {
    const grey = 8 + (n - 232) * 10;
    return `rgb(${grey}, ${grey}, ${grey})`;
  }
  const cube = n - 16;
  return `rgb(${CUBE[Math.floor(cube / 36)]}, ${CUBE[Math.floor(cube / 6) % 6]}, ${CUBE[cube % 6]})`;
}

function clampByte(value) {
  return Math.max(0, Math.min(255, Number.isFinite(value) ? value : 0));
}

/** Builds the DOM of one line's segments: spans with classes, CSSOM colours, text as text. */
export function renderSegments(segments, doc = document) {
  const fragment = doc.createDocumentFragment();
  for (const { text, style } of segments) {
    if (isPlain(style)) {
      fragment.append(doc.createTextNode(text));
      continue;
    }
    const span = doc.createElement("span");
    span.textContent = text;
    const [fg, bg] = style.inverse ? [style.bg ?? "inverse-fg", style.fg ?? "inverse-bg"] : [style.fg, style.bg];
    for (const flag of ["bold", "dim", "italic", "underline"]) if (style[flag]) span.classList.add(`ansi-${flag}`);
    paint(span, "fg", fg);
    paint(span, "bg", bg);
    fragment.append(span);
  }
  return fragment;
}

function paint(span, layer, colour) {
  if (colour === null || colour === undefined) return;
  if (typeof colour === "number") span.classList.add(`ansi-${layer}-${colour}`);
  else if (colour.startsWith("inverse")) span.classList.add(`ansi-${colour}`);
  else span.style[layer === "fg" ? "color" : "backgroundColor"] = colour;
}

function isPlain(style) {
  return !style.bold && !style.dim && !style.italic && !style.underline && !style.inverse
    && style.fg === null && style.bg === null;
}
