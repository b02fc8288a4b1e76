// Charts drawn as inline SVG by the page itself (no chart library): vertical bars over time,
// horizontal bars per item, and side-by-side bars of two or more series per group. Every bar has a <title> with its value, and each chart names
// the table that holds the same numbers, so nothing is told by colour or shape alone.
"use strict";

const charts = (() => {
  const SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // A round upper bound for an axis (1, 2, 2.5, 5 × 10^n) and its tick step; or the first of
  // `steps` (ascending) that is large enough, for units that are not decimal (seconds).
  function scale(max, ticks, steps) {
    if (max <= 0) return {top: steps ? steps[0] : 1, step: steps ? steps[0] : 1};
    const rough = max / ticks;
    const power = 10 ** Math.floor(Math.log10(rough));
    const step = (steps && steps.find((s) => s >= rough)) ||
      [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough);
    return {top: Math.ceil(max / step) * step, step};
  }

  // Drawn at the box's own width, so that text keeps its size; redrawn when that changes.
  function widthOf(box, fallback) {
    return Math.max(320, Math.floor(box.clientWidth) || fallback);
  }

  function frame(width, height, labelledBy, description) {
    const root = svg("svg", {
      viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-labelledby": labelledBy,
      class: "chart-svg",
    });
    root.append(svg("desc", {}, description));
    return root;
  }

  // Vertical bars: `points` [{label, value, title}], labels thinned out to fit.
  function columns(box, points, {labelledBy, description, unit = ""}) {
    const width = widthOf(box, 960), height = 280;
    const left = 48, right = 12, top = 14, bottom = 46;
    const plotW = width - left - right, plotH = height - top - bottom;
    const root = frame(width, height, labelledBy, description);
    const {top: max, step} = scale(Math.max(0, ...points.map((p) => p.value)), 5);
    for (let v = 0; v <= max + step / 2; v += step) {
      const y = top + plotH - (v / max) * plotH;
      root.append(svg("line", {x1: left, x2: width - right, y1: y, y2: y, class: "grid"}));
      root.append(svg("text", {x: left - 6, y: y + 4, class: "axis", "text-anchor": "end"}, fmt(v)));
    }
    const slot = plotW / Math.max(1, points.length);
    const barW = Math.max(2, slot * 0.72);
    const every = Math.max(1, Math.ceil(points.length / Math.floor(plotW / 56)));
    points.forEach((p, i) => {
      const h = (p.value / max) * plotH;
      const x = left + i * slot + (slot - barW) / 2;
      const bar = svg("rect", {
        x, y: top + plotH - h, width: barW, height: Math.max(0, h), class: "bar",
        "data-label": p.label, "data-value": p.value,
      });
      bar.append(svg("title", {}, p.title || `${p.label}: ${p.value}${unit}`));
      root.append(bar);
      if (i % every === 0) {
        root.append(svg("text", {
          x: left + i * slot + slot / 2, y: height - bottom + 18, class: "axis", "text-anchor": "middle",
        }, p.short || p.label));
      }
    });
    root.append(svg("line", {x1: left, x2: width - right, y1: top + plotH, y2: top + plotH, class: "baseline"}));
    box.replaceChildren(root);
    return root;
  }

  // Horizontal bars: `items` [{label, value, text}], `max` the full scale (e.g. 1 for shares).
  function bars(box, items, {labelledBy, description, max}) {
    const width = widthOf(box, 560), row = 30, top = 8, labelW = 170, valueW = 70;
    const height = top * 2 + row * Math.max(1, items.length);
    const root = frame(width, height, labelledBy, description);
    const full = max || scale(Math.max(0, ...items.map((i) => i.value)), 4).top;
    const plotW = width - labelW - valueW;
    items.forEach((item, i) => {
      const y = top + i * row;
      root.append(svg("text", {x: labelW - 8, y: y + row / 2 + 5, class: "label", "text-anchor": "end"},
        clip(item.label, 22)));
      root.append(svg("rect", {x: labelW, y: y + 5, width: plotW, height: row - 10, class: "track"}));
      const bar = svg("rect", {
        x: labelW, y: y + 5, width: Math.max(0, (item.value / full) * plotW), height: row - 10,
        class: "bar", "data-label": item.label, "data-value": item.value,
      });
      bar.append(svg("title", {}, `${item.label}: ${item.text}`));
      root.append(bar);
      root.append(svg("text", {x: labelW + plotW + 6, y: y + row / 2 + 5, class: "value"}, item.text));
    });
    if (items.length === 0) {
      root.append(svg("text", {x: width / 2, y: height / 2 + 5, class: "axis", "text-anchor": "middle"}, "No data"));
    }
    box.replaceChildren(root);
    return root;
  }

  let patterns = 0;

  // Side-by-side bars per group, one per series: `groups` [{label, short, values: {key: n|null},
  // title}], `series` [{key, label, className}]. A series whose className is "hatched" is drawn
  // striped as well as lighter, and a legend names each series in words. `max` shares one scale
  // between charts; `steps` and `format` choose and write the axis' values (durations, say).
  function groups(box, items, {labelledBy, description, series, max, steps, format = fmt}) {
    const width = widthOf(box, 640), height = 250;
    const left = 76, right = 12, top = 30, bottom = 40;
    const plotW = width - left - right, plotH = height - top - bottom;
    const root = frame(width, height, labelledBy, description);
    const stripes = `stripes-${++patterns}`;
    const defs = svg("defs");
    const pattern = svg("pattern", {
      id: stripes, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)",
    });
    pattern.append(svg("rect", {width: 6, height: 6, class: "hatch-ground"}));
    pattern.append(svg("line", {x1: 0, y1: 0, x2: 0, y2: 6, class: "hatch-line"}));
    defs.append(pattern);
    root.append(defs);
    // Through the style, which wins over the stylesheet's fill of every bar.
    const paint = (node, s) => {
      if (s.className === "hatched") node.style.fill = `url(#${stripes})`;
      return node;
    };
    const values = items.flatMap((g) => series.map((s) => g.values[s.key] || 0));
    const {top: full, step} = scale(max || Math.max(0, ...values), 4, steps);
    for (let v = 0; v <= full + step / 2; v += step) {
      const y = top + plotH - (v / full) * plotH;
      root.append(svg("line", {x1: left, x2: width - right, y1: y, y2: y, class: "grid"}));
      root.append(svg("text", {x: left - 6, y: y + 4, class: "axis", "text-anchor": "end"}, format(v)));
    }
    let x = left;
    series.forEach((s) => {
      root.append(paint(svg("rect", {x, y: 8, width: 14, height: 12, class: `key ${s.className || ""}`}), s));
      const label = svg("text", {x: x + 19, y: 19, class: "label"}, s.label);
      root.append(label);
      x += 30 + 8 * s.label.length;
    });
    const slot = plotW / Math.max(1, items.length);
    // At most 40 px a bar: a few groups would otherwise fill the chart with two slabs.
    const barW = Math.max(2, Math.min(40, (slot * 0.8) / series.length));
    const inset = (slot - barW * series.length) / 2;
    items.forEach((g, i) => {
      series.forEach((s, j) => {
        const value = g.values[s.key];
        if (value === null || value === undefined) return;
        const h = (value / full) * plotH;
        const bar = svg("rect", {
          x: left + i * slot + inset + j * barW, y: top + plotH - h, width: barW, height: Math.max(0, h),
          class: `bar ${s.className || ""}`, "data-label": g.label, "data-series": s.key, "data-value": value,
        });
        paint(bar, s);
        bar.append(svg("title", {}, `${g.title || g.label}, ${s.label}: ${format(value)}`));
        root.append(bar);
      });
      root.append(svg("text", {
        x: left + i * slot + slot / 2, y: height - bottom + 18, class: "axis", "text-anchor": "middle",
      }, g.short || g.label));
    });
    root.append(svg("line", {x1: left, x2: width - right, y1: top + plotH, y2: top + plotH, class: "baseline"}));
    if (items.length === 0) {
      root.append(svg("text", {x: width / 2, y: top + plotH / 2, class: "axis", "text-anchor": "middle"}, "No data"));
    }
    box.replaceChildren(root);
    return root;
  }

  function fmt(v) {
    return Number.isInteger(v) ? String(v) : v.toFixed(1);
  }

  function clip(text, length) {
    return text.length > length ? `${text.slice(0, length - 1)}…` : text;
  }

  return {columns, bars, groups};
})();
window.charts = charts;
