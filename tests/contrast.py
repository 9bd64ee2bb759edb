"""A browser-side WCAG contrast probe for text the page draws, SVG text included (axe-core leaves
SVG text out): the text's colour against what is painted behind it, translucent fills composited
over the backgrounds below, the way they are seen."""

from __future__ import annotations

# (elements) => [{text, ratio, fg, bg}] for every element with visible text among `elements`.
CONTRAST_JS = r"""
(elements) => {
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || '');
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [r, g, b, a === undefined || Number.isNaN(a) ? 1 : a];
  };
  const over = (top, below) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat(1);
  };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (x, y) => { const [h, l] = [lum(x), lum(y)].sort((p, q) => q - p); return (h + 0.05) / (l + 0.05); };
  // The colour painted behind an element: its own background layered over its ancestors'.
  const htmlBackground = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c && c[3] > 0) layers.push(c);
      if (c && c[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const out = [];
  for (const el of elements) {
    const text = (el.textContent || '').trim();
    if (!text || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    let fg, bg;
    if (el instanceof SVGElement) {
      const cell = el.closest('g');
      const rect = cell && cell.querySelector('rect');
      bg = htmlBackground(el.ownerSVGElement);
      for (const band of el.ownerSVGElement.querySelectorAll('rect.ct-band, rect.ct-adjoint-band')) {
        // a band painted under this cell
        const b = band.getBBox(), r = rect && rect.getBBox();
        const t = cell.transform.baseVal.consolidate();
        const x = t ? t.matrix.e : 0, y = t ? t.matrix.f : 0;
        if (r && x + r.x >= b.x && x + r.x < b.x + b.width && y + r.y >= b.y && y + r.y < b.y + b.height) {
          const c = parse(getComputedStyle(band).fill);
          if (c) { c[3] *= Number(getComputedStyle(band).fillOpacity); bg = over(c, bg); }
        }
      }
      if (rect) {
        const c = parse(getComputedStyle(rect).fill);
        if (c) { c[3] *= Number(getComputedStyle(rect).fillOpacity); bg = over(c, bg); }
      }
      fg = parse(style.fill);
      fg[3] *= Number(style.fillOpacity);
    } else {
      bg = htmlBackground(el);
      fg = parse(style.color);
    }
    fg = over(fg, bg);
    out.push({text: text.slice(0, 40), ratio: ratio(fg, bg), fg: fg.slice(0, 3).map(Math.round).join(','),
              bg: bg.slice(0, 3).map(Math.round).join(','), cls: (el.closest('[class]') || el).getAttribute('class')});
  }
  return out;
}
"""
