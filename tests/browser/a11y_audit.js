// A small in-page accessibility audit (no packages): run with page.evaluate(), returns a list of
// problems, each "rule: element — detail". It checks what the portal promises: a language, unique
// ids and working id references, one main landmark and named navigations, one h1 and no skipped
// heading level, a name for every control, link and button, alt text, named tables with scoped
// header cells in a scrolling wrapper, badges that say their status in words, and text contrast of
// at least 4.5:1 (3:1 for large text) against the background actually painted behind it.
() => {
  const problems = [];
  const describe = (el) => {
    if (!el || !el.tagName) return String(el);
    const cls = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\s+/).join(".") : "";
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${cls}${text ? ` "${text}"` : ""}`;
  };
  const say = (rule, el, detail) =>
    problems.push(`${rule}: ${describe(el)}${detail !== undefined ? " — " + detail : ""}`);
  const rendered = (el) => {
    const style = getComputedStyle(el);
    return style.display !== "none" && style.visibility !== "hidden" && el.getClientRects().length > 0;
  };
  const textOf = (ids) => ids.split(/\s+/).filter(Boolean)
    .map((id) => (document.getElementById(id) || {}).textContent || "").join(" ").trim();
  const accessibleName = (el) => {
    const label = (el.getAttribute("aria-label") || "").trim();
    if (label) return label;
    const by = el.getAttribute("aria-labelledby");
    if (by && textOf(by)) return textOf(by);
    if (el.labels && el.labels.length) {
      const text = [...el.labels].map((l) => l.textContent).join(" ").trim();
      if (text) return text;
    }
    if (el.matches("a, button, summary")) {
      const text = (el.textContent || "").trim();
      if (text) return text;
      const img = el.querySelector("img[alt]");
      if (img && img.alt.trim()) return img.alt.trim();
    }
    if (el.matches("input[type=submit], input[type=button], input[type=reset]") && el.value) {
      return el.value;
    }
    return (el.getAttribute("title") || "").trim();
  };

  // The document.
  const html = document.documentElement;
  if (!html.lang) say("html-lang", html, "missing");
  if (!document.title.trim()) say("document-title", html, "empty");
  const ids = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    if (ids.has(el.id)) say("duplicate-id", el);
    ids.add(el.id);
  }
  for (const attr of ["aria-labelledby", "aria-describedby", "aria-controls"]) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) say("broken-idref", el, `${attr}="${id}"`);
      }
    }
  }
  for (const label of document.querySelectorAll("label[for]")) {
    if (!document.getElementById(label.htmlFor)) say("label-for-missing", label, label.htmlFor);
  }

  // Landmarks and headings.
  const mains = document.querySelectorAll("main");
  if (mains.length !== 1) say("one-main", document.body, `${mains.length} <main>`);
  if (!document.querySelector("body > header")) say("banner", document.body, "no <header>");
  if (!document.querySelector("body > footer")) say("contentinfo", document.body, "no <footer>");
  const navs = document.querySelectorAll("nav");
  if (navs.length > 1) {
    for (const nav of navs) if (!accessibleName(nav)) say("nav-name", nav, "several <nav>, this one unnamed");
  }
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(rendered);
  const h1s = headings.filter((h) => h.tagName === "H1");
  if (h1s.length !== 1) say("one-h1", document.body, `${h1s.length} <h1>`);
  let previous = 0;
  for (const h of headings) {
    const level = Number(h.tagName[1]);
    if (level > previous + 1) say("heading-order", h, `h${level} after h${previous || "-"}`);
    previous = level;
  }

  // Names of controls, links, buttons and graphics.
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!accessibleName(el)) say("control-name", el);
  }
  for (const el of document.querySelectorAll("a[href], button")) {
    if (!accessibleName(el)) say("link-or-button-name", el);
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) say("img-alt", img);
  }
  for (const el of document.querySelectorAll("canvas, svg")) {
    if (!el.closest("[aria-hidden=true], [role=img][aria-label], [role=img][aria-labelledby], svg[aria-label]")) {
      say("graphic-name", el, "neither named (role=img + label) nor hidden");
    }
  }

  // Tables.
  for (const table of document.querySelectorAll("table")) {
    const named = table.querySelector("caption") || accessibleName(table);
    if (!named) say("table-name", table, "no <caption>, aria-label or aria-labelledby");
    for (const th of table.querySelectorAll("th")) {
      if (!th.getAttribute("scope")) say("th-scope", th);
    }
    const wrap = table.closest(".table-wrap");
    if (!wrap) say("table-wrap", table, "not inside .table-wrap");
  }

  // Status in words, not colour alone.
  for (const badge of document.querySelectorAll(".badge")) {
    if (!badge.textContent.trim()) say("badge-text", badge, "a colour without words");
  }

  // Contrast of every piece of text against what is painted behind it.
  const parse = (value) => {
    const m = value.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(parseFloat);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none" && !node.matches("html, body")) return null; // unknown
      const color = parse(style.backgroundColor);
      if (color && color.a > 0) {
        layers.push(color);
        if (color.a >= 1) break;
      }
    }
    let painted = { r: 255, g: 255, b: 255, a: 1 };
    for (const layer of layers.reverse()) painted = over(layer, painted);
    return painted;
  };
  const tooSmall = (el) => {
    const rect = el.getBoundingClientRect();
    return rect.width <= 1 || rect.height <= 1 || rect.right < 0 || rect.bottom < 0;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const checked = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || checked.has(el) || !node.textContent.trim()) continue;
    checked.add(el);
    if (el.closest("script, style, noscript, option, template, [aria-hidden=true]")) continue;
    if (!rendered(el) || tooSmall(el) || el.closest(":disabled")) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color);
    const bg = background(el);
    if (!fg || !bg) continue;
    const text = over(fg, bg);
    const [hi, lo] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    if (ratio < needed) say("contrast", el, `${ratio.toFixed(2)}:1 < ${needed}:1 (${style.color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)}))`);
  }
  return problems;
}
