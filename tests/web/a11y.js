// An accessibility audit run in the page by tests/web/test_browser_a11y.py (no download: this file
// is the whole audit). Returns a list of problems, each naming the element.
() => {
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.getAttribute("name") ? "[name=" + el.getAttribute("name") + "]" : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "");
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) &&
    getComputedStyle(el).visibility !== "hidden";
  const labelled = (el) => (el.labels && el.labels.length > 0 && [...el.labels].some(l => l.textContent.trim())) ||
    (el.getAttribute("aria-label") || "").trim() || (el.getAttribute("aria-labelledby") &&
    document.getElementById(el.getAttribute("aria-labelledby"))) || (el.getAttribute("title") || "").trim();

  if (!document.documentElement.lang) problems.push("html has no lang");
  if (!document.title.trim()) problems.push("the page has no title");
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one h1");
  let last = 0;
  for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = Number(h.tagName[1]);
    if (level > last + 1) problems.push("heading level skipped: " + h.tagName + " " + h.textContent.trim());
    last = level;
  }
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) {
    if (ids[el.id]) problems.push("duplicate id " + el.id);
    ids[el.id] = true;
  }
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit", "button", "reset"].includes(el.type)) continue;
    if (!labelled(el)) problems.push("no label: " + name(el));
  }
  for (const el of document.querySelectorAll("img")) {
    if (!el.hasAttribute("alt")) problems.push("image without alt: " + name(el));
  }
  for (const el of document.querySelectorAll("svg[role=img]")) {
    if (!el.querySelector("title") && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")) {
      problems.push("chart without a title: " + name(el));
    }
  }
  for (const el of document.querySelectorAll("a[href], button")) {
    if (!visible(el)) continue;
    if (!el.textContent.trim() && !labelled(el)) problems.push("no text: " + name(el));
  }
  // contrast (WCAG 2 AA): text against the first opaque background behind it
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const seen = new Set();
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg") || !visible(el)) continue;
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!text) continue;
    const style = getComputedStyle(el);
    const fg = rgb(style.color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    const key = style.color + "/" + background(el).join(",");
    if (ratio < need && !seen.has(key)) {
      seen.add(key);
      problems.push("contrast " + ratio.toFixed(2) + " < " + need + ": " + name(el) + " '" +
                    el.textContent.trim().slice(0, 30) + "'");
    }
  }
  return problems;
}
