/*
 * jitterlab report: draws the charts of index.html from the JSON embedded in the page
 * (#report-data). Runs in the browser from file:// with Chart.js inlined (global `Chart`); no
 * network. Plain ES2019, no modules. Produced by src/report/html/render-html.ts.
 */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
  var charts = [];
  var tMax = Math.max(data.durationS, 1);

  function colour(i, alpha) {
    if (i >= PALETTE.length) {
      // Past the palette (many variants): hues a golden angle apart, so no two variants share a colour.
      var hue = Math.round((i - PALETTE.length) * 137.508 + 15) % 360;
      return 'hsla(' + hue + ',62%,42%,' + (alpha === undefined ? 1 : alpha) + ')';
    }
    var c = PALETTE[i];
    if (alpha === undefined) return c;
    var n = parseInt(c.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + alpha + ')';
  }
  function el(id) { return document.getElementById(id); }

  // Scenario phases shaded behind every time chart, labelled at the top.
  var phasePlugin = {
    id: 'jlPhases',
    beforeDatasetsDraw: function (chart, args, opts) {
      var phases = (opts && opts.phases) || [];
      var x = chart.scales.x;
      var area = chart.chartArea;
      if (!x || !phases.length) return;
      var ctx = chart.ctx;
      ctx.save();
      phases.forEach(function (p, i) {
        var a = Math.max(area.left, x.getPixelForValue(p.startS));
        var b = Math.min(area.right, x.getPixelForValue(p.endS));
        if (b <= a) return;
        ctx.fillStyle = i % 2 ? 'rgba(255,193,7,0.13)' : 'rgba(0,150,136,0.11)';
        ctx.font = '11px sans-serif';
        if (opts.above) {
          // Over coloured cells a shade would not show: a bracket above the plot instead.
          ctx.fillStyle = i % 2 ? 'rgba(230,149,0,0.9)' : 'rgba(0,150,136,0.9)';
          ctx.fillRect(a, area.top - 5, b - a, 3);
          ctx.fillStyle = '#555';
          ctx.fillText(p.label, a + 3, area.top - 8);
          return;
        }
        ctx.fillRect(a, area.top, b - a, area.bottom - area.top);
        ctx.fillStyle = '#555';
        ctx.fillText(p.label, a + 3, area.top + 11);
      });
      ctx.restore();
    },
  };
  // Vertical reference lines (G.114 150 / 400 ms on the latency budget).
  var linesPlugin = {
    id: 'jlLines',
    afterDatasetsDraw: function (chart, args, opts) {
      var lines = (opts && opts.lines) || [];
      var x = chart.scales.x;
      var area = chart.chartArea;
      if (!x || !lines.length) return;
      var ctx = chart.ctx;
      ctx.save();
      lines.forEach(function (l) {
        var px = x.getPixelForValue(l.value);
        if (px < area.left || px > area.right) return;
        ctx.strokeStyle = l.colour;
        ctx.setLineDash([5, 4]);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.fillStyle = l.colour;
        ctx.font = '11px sans-serif';
        ctx.fillText(l.label, px + 3, area.top + 11);
      });
      ctx.restore();
    },
  };
  Chart.register(phasePlugin, linesPlugin);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 11;

  function timeScale(title) {
    return { type: 'linear', min: 0, max: tMax, title: { display: true, text: title || 'call time (s)' } };
  }
  function make(id, config) {
    var canvas = el(id);
    if (!canvas) return null;
    config.options = config.options || {};
    config.options.plugins = config.options.plugins || {};
    config.options.plugins.jlPhases = config.options.plugins.jlPhases || { phases: [] };
    var box = canvas.parentNode;
    var minPlot = Math.max(100, 0.55 * box.clientHeight);
    var c = new Chart(canvas, config);
    charts.push(c);
    keepPlotHeight(c, box, minPlot);
    return c;
  }
  // With many variants a legend can take most of a chart's height, and Chart.js clips it at half
  // the height: grow the chart's box until the plot area keeps at least minPlot pixels and every
  // legend entry shows (a few passes: the legend grows with the box).
  function legendOverflow(c) {
    var l = c.legend;
    var hb = l && l.options.display !== false ? l.legendHitBoxes : null;
    if (!hb || !hb.length) return 0;
    var last = hb[hb.length - 1];
    return Math.max(0, last.top + last.height + 10 - l.bottom);
  }
  function keepPlotHeight(c, box, minPlot) {
    for (var pass = 0; pass < 6 && c.chartArea; pass++) {
      var deficit = Math.max(minPlot - (c.chartArea.bottom - c.chartArea.top), 2 * legendOverflow(c));
      if (deficit < 1) return;
      box.style.height = Math.ceil(box.clientHeight + deficit) + 'px';
      c.resize();
    }
  }
  // One time axis for a group of charts: the same left axis width and the same right margin on
  // every chart, so a moment lines up vertically across them.
  function alignTimeAxes(charts) {
    var cs = charts.filter(Boolean);
    function sideWidth(c, side) {
      var w = 0;
      Object.keys(c.scales).forEach(function (id) { var sc = c.scales[id]; if (sc.axis === 'y' && sc.position === side && sc.options.display !== false) w += sc.width; });
      return w;
    }
    var left = 0;
    var right = 0;
    cs.forEach(function (c) { left = Math.max(left, sideWidth(c, 'left')); right = Math.max(right, sideWidth(c, 'right')); });
    cs.forEach(function (c) {
      var ownRight = sideWidth(c, 'right');
      c.options.scales.y.afterFit = function (sc) { sc.width = left; };
      var pad = c.options.layout && c.options.layout.padding ? c.options.layout.padding : {};
      c.options.layout = { padding: { top: pad.top || 0, right: right - ownRight } };
      c.update();
    });
  }
  function timeOptions(yTitle, extra) {
    var o = {
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      scales: { x: timeScale(), y: { title: { display: true, text: yTitle } } },
      plugins: { jlPhases: { phases: data.phases }, legend: { position: 'bottom' } },
    };
    if (extra) extra(o);
    return o;
  }
  var multi = data.variants.length > 1;
  function label(v, what) { return multi ? v.name + ': ' + what : what; }

  // Colour ramps of the quality overview: [value, [r, g, b]] stops, interpolated linearly. Both
  // run from light (good) to dark (bad), so the damage reads as dark marks in any colour vision.
  var QUALITY_STOPS = [[1, [103, 0, 13]], [2, [203, 24, 29]], [3, [241, 105, 19]], [3.6, [253, 174, 107]], [4.03, [161, 217, 155]], [4.5, [199, 233, 192]]];
  var LOSS_STOPS = [[0, [247, 247, 247]], [2, [253, 208, 162]], [5, [253, 141, 60]], [10, [217, 72, 1]], [20, [103, 0, 13]]];
  function ramp(stops, x) {
    if (!(x > stops[0][0])) return 'rgb(' + stops[0][1].join(',') + ')';
    for (var k = 1; k < stops.length; k++) {
      if (x <= stops[k][0]) {
        var a = stops[k - 1];
        var b = stops[k];
        var t = (x - a[0]) / (b[0] - a[0]);
        return 'rgb(' + a[1].map(function (c, j) { return Math.round(c + t * (b[1][j] - c)); }).join(',') + ')';
      }
    }
    return 'rgb(' + stops[stops.length - 1][1].join(',') + ')';
  }
  function rampCss(stops) {
    var lo = stops[0][0];
    var span = stops[stops.length - 1][0] - lo;
    return 'linear-gradient(to right,' + stops.map(function (s) { return 'rgb(' + s[1].join(',') + ') ' + ((100 * (s[0] - lo)) / span).toFixed(1) + '%'; }).join(',') + ')';
  }
  // Cells of a band that has nothing to show (not scored) are hatched.
  function hatch() {
    var c = document.createElement('canvas');
    c.width = 6;
    c.height = 6;
    var g = c.getContext('2d');
    g.fillStyle = '#f3f3f3';
    g.fillRect(0, 0, 6, 6);
    g.strokeStyle = '#c8c8c8';
    g.beginPath();
    g.moveTo(0, 6);
    g.lineTo(6, 0);
    g.stroke();
    return g.createPattern(c, 'repeat');
  }

  // The per-variant series of the overview, one band each, top to bottom: any series of
  // (start, end, MOS-scale quality) cells can be a band; a variant without one shows it hatched.
  var QUALITY_BANDS = [
    {
      name: 'E-model MOS-CQ',
      cells: function (v) {
        return v.quality.emodel.map(function (w) {
          return { a: w.startS, b: w.endS, q: w.mosCq, text: w.mosCq.toFixed(2) + ' (post-recovery loss ' + w.pplPercent.toFixed(1) + ' %)' };
        });
      },
    },
    {
      name: 'ViSQOL patch similarity',
      cells: function (v) {
        return v.quality.patches.map(function (p) {
          return { a: p.startS, b: p.endS, q: p.mos, text: 'NSIM ' + p.similarity.toFixed(3) + (p.matched ? '' : ' (unmatched)') + ', as MOS ' + p.mos.toFixed(2) };
        });
      },
    },
  ];

  // Quality over time, detail: E-model windows (step lines), ViSQOL patch similarity and
  // concealment of the variants `shown` (indices), network loss bars.
  function qualityDatasets(shown) {
    var ds = [];
    var several = shown.length > 1;
    shown.forEach(function (i) {
      var v = data.variants[i];
      var pts = [];
      v.quality.emodel.forEach(function (w) { pts.push({ x: w.startS, y: w.mosCq }); pts.push({ x: w.endS, y: w.mosCq }); });
      if (pts.length) ds.push({ type: 'line', label: label(v, 'E-model MOS-CQ (5 s windows)'), data: pts, borderColor: colour(i), backgroundColor: colour(i), pointRadius: 0, borderWidth: 2, yAxisID: 'y' });
      var lq = [];
      v.quality.emodel.forEach(function (w) { lq.push({ x: w.startS, y: w.mosLq }); lq.push({ x: w.endS, y: w.mosLq }); });
      if (lq.length) ds.push({ type: 'line', label: label(v, 'E-model MOS-LQ'), data: lq, borderColor: colour(i, 0.5), borderDash: [4, 3], pointRadius: 0, borderWidth: 1.5, yAxisID: 'y', hidden: several });
      var patches = v.quality.patches.map(function (p) { return { x: p.t, y: p.similarity }; });
      if (patches.length) ds.push({ type: 'scatter', label: label(v, 'ViSQOL patch similarity (NSIM)'), data: patches, borderColor: colour(i), backgroundColor: colour(i, 0.35), pointRadius: 3, pointStyle: 'rectRot', yAxisID: 'ySim' });
    });
    var v0 = data.variants[0];
    ds.push({ type: 'bar', label: 'network loss (% per ' + v0.quality.binS + ' s)', data: v0.quality.lossPerBin, backgroundColor: 'rgba(214,39,40,0.45)', yAxisID: 'yLoss', barPercentage: 1, categoryPercentage: 1 });
    shown.forEach(function (i) {
      var v = data.variants[i];
      ds.push({ type: 'bar', label: label(v, 'concealed (% per ' + v.quality.binS + ' s)'), data: v.quality.concealedPerBin, backgroundColor: colour(i + 3, 0.45), yAxisID: 'yLoss', barPercentage: 1, categoryPercentage: 1, hidden: several });
    });
    return ds;
  }
  // NSIM axis from just below the lowest patch shown, so small dips stay visible.
  function simAxisMin(shown) {
    var simMin = 1;
    shown.forEach(function (i) { data.variants[i].quality.patches.forEach(function (p) { simMin = Math.min(simMin, p.similarity); }); });
    return Math.max(0, Math.floor((simMin - 0.05) * 10) / 10);
  }
  function anyPatches(shown) {
    return shown.some(function (i) { return data.variants[i].quality.patches.length > 0; });
  }
  function qualityDetail(shown) {
    return make('chart-quality', {
      type: 'line',
      data: { datasets: qualityDatasets(shown) },
      options: timeOptions('MOS', function (o) {
        o.scales.y = { min: 1, max: 5, position: 'left', title: { display: true, text: 'MOS' } };
        o.scales.x.offset = false;
        o.scales.ySim = { display: anyPatches(shown), min: simAxisMin(shown), max: 1, position: 'right', title: { display: true, text: 'NSIM' }, grid: { drawOnChartArea: false } };
        o.scales.yLoss = { min: 0, position: 'right', title: { display: true, text: 'loss %' }, grid: { drawOnChartArea: false } };
      }),
    });
  }

  // Quality over time, overview: row 0 the network loss, row i + 1 variant i with one band per
  // QUALITY_BANDS entry. The rows sit on a linear axis so each band is its own bar position;
  // Chart.js sizes bars by the nearest distinct positions, which are a band apart.
  var ROW_SHARE = 0.76; // of a row's height for its bands; the rest separates rows
  function bandY(row, k) {
    var nb = QUALITY_BANDS.length;
    return nb === 1 ? row : row - ROW_SHARE / 2 + (ROW_SHARE / nb) * (k + 0.5);
  }
  function overviewDatasets() {
    var ds = [];
    var empty = [];
    QUALITY_BANDS.forEach(function (band, k) {
      var pts = [];
      data.variants.forEach(function (v, i) {
        var cells = band.cells(v);
        if (!cells.length) empty.push({ x: [0, tMax], y: bandY(i + 1, k), row: i + 1, text: band.name + ': not computed' });
        cells.forEach(function (c) { pts.push({ x: [c.a, c.b], y: bandY(i + 1, k), row: i + 1, q: c.q, text: band.name + ': ' + c.text }); });
      });
      ds.push({ type: 'bar', label: band.name, data: pts, backgroundColor: function (ctx) { return ctx.raw ? ramp(QUALITY_STOPS, ctx.raw.q) : '#ccc'; } });
    });
    var v0 = data.variants[0];
    var half = v0.quality.binS / 2;
    ds.push({
      type: 'bar',
      label: 'network loss',
      data: v0.quality.lossPerBin.map(function (p) { return { x: [p.x - half, p.x + half], y: 0, row: 0, q: p.y, text: 'network loss ' + p.y.toFixed(1) + ' %' }; }),
      backgroundColor: function (ctx) { return ctx.raw ? ramp(LOSS_STOPS, ctx.raw.q) : '#ccc'; },
    });
    // Hatched first, so scored cells lie on top.
    ds.unshift({ type: 'bar', label: 'not computed', data: empty, backgroundColor: hatch() });
    ds.forEach(function (d) {
      d.grouped = false;
      d.barPercentage = 1;
      d.categoryPercentage = QUALITY_BANDS.length === 1 ? ROW_SHARE : 1;
      d.borderWidth = 0;
    });
    return ds;
  }
  function qualityOverview(selected, toggle) {
    var n = data.variants.length;
    var rows = ['network loss'].concat(data.variants.map(function (v) { return v.name; }));
    function isSelected(row) { return row > 0 && selected().indexOf(row - 1) >= 0; }
    return make('chart-quality-overview', {
      type: 'bar',
      data: { datasets: overviewDatasets() },
      options: {
        indexAxis: 'y',
        parsing: { xAxisKey: 'x', yAxisKey: 'y' },
        layout: { padding: { top: 16 } },
        interaction: { mode: 'nearest', intersect: true, axis: 'xy' },
        onClick: function (evt, els, chart) {
          var row = Math.round(chart.scales.y.getValueForPixel(evt.y));
          if (row >= 1 && row <= n) toggle(row - 1);
        },
        onHover: function (evt, els, chart) {
          var row = Math.round(chart.scales.y.getValueForPixel(evt.y));
          chart.canvas.style.cursor = row >= 1 && row <= n ? 'pointer' : 'default';
        },
        scales: {
          x: timeScale(),
          y: {
            type: 'linear',
            reverse: true,
            min: -0.5,
            max: n + 0.5,
            grid: { display: false },
            afterBuildTicks: function (scale) { scale.ticks = rows.map(function (_, r) { return { value: r }; }); },
            ticks: {
              autoSkip: false,
              callback: function (value) { return rows[value] !== undefined ? rows[value] : ''; },
              // Scriptable per tick; resolved without one (ctx.tick undefined) while Chart.js measures.
              color: function (ctx) { return ctx.tick && isSelected(ctx.tick.value) ? colour(ctx.tick.value - 1) : '#444'; },
              font: function (ctx) { return { weight: ctx.tick && isSelected(ctx.tick.value) ? 'bold' : 'normal' }; },
            },
          },
        },
        plugins: {
          legend: { display: false },
          jlPhases: { phases: data.phases, above: true },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? rows[items[0].raw.row] : ''; },
              label: function (item) { return item.raw.text + ' (' + item.raw.x[0].toFixed(1) + '–' + item.raw.x[1].toFixed(1) + ' s)'; },
            },
          },
        },
      },
    });
  }

  // The colour scales of the overview, with the NSIM that ViSQOL's mapping gives each MOS tick.
  function qualityScaleLegend() {
    var box = el('quality-scale');
    if (!box) return;
    var lo = QUALITY_STOPS[0][0];
    var span = QUALITY_STOPS[QUALITY_STOPS.length - 1][0] - lo;
    var q = '<div><div>quality: E-model MOS-CQ (ticks above); ViSQOL NSIM through ViSQOL\'s own MOS mapping (ticks below)</div><div class="ramp q" style="background:' + rampCss(QUALITY_STOPS) + '">';
    data.nsimAtMos.forEach(function (t) {
      var left = ((100 * (t.mos - lo)) / span).toFixed(1) + '%';
      q += '<span class="tick up" style="left:' + left + '">' + t.mos + '</span><span class="tick" style="left:' + left + '">' + (t.nsim === 0 ? '0' : t.nsim.toFixed(2)) + '</span>';
    });
    q += '</div></div>';
    var lmax = LOSS_STOPS[LOSS_STOPS.length - 1][0];
    var l = '<div><div>network loss per ' + data.variants[0].quality.binS + ' s</div><div class="ramp" style="width:200px;background:' + rampCss(LOSS_STOPS) + '">';
    LOSS_STOPS.forEach(function (s) { l += '<span class="tick" style="left:' + ((100 * s[0]) / lmax).toFixed(1) + '%">' + s[0] + (s[0] === lmax ? '+ %' : '') + '</span>'; });
    l += '</div></div>';
    var h = '<div><div>&nbsp;</div><span class="swatch" style="background:repeating-linear-gradient(135deg,#f3f3f3 0 3px,#c8c8c8 3px 4px)"></span> not computed</div>';
    box.innerHTML = q + l + h;
  }

  // Indices of the best and the worst headline MOS-CQ (the first two variants without E-model).
  function bestAndWorst() {
    var order = data.variants
      .map(function (v, i) { return { i: i, mos: v.headline.mosCq }; })
      .filter(function (x) { return x.mos !== null; })
      .sort(function (a, b) { return b.mos - a.mos || a.i - b.i; });
    return order.length >= 2 ? [order[0].i, order[order.length - 1].i] : [0, Math.min(1, data.variants.length - 1)];
  }
  function pickerHtml(on) {
    var esc = function (t) { return t.replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); };
    return '<span class="hint">In the detail chart:</span>' + data.variants.map(function (v, i) {
      return '<label><input type="checkbox" data-index="' + i + '"' + (on[i] ? ' checked' : '') + '><span class="dot" style="background:' + colour(i) + '"></span>' + esc(v.name) + '</label>';
    }).join('');
  }

  // The variants of the detail chart: every one when few; else a picker, ticked by default for
  // the best and the worst headline MOS-CQ, kept in step with clicks on the overview's rows.
  (function () {
    var n = data.variants.length;
    var picker = el('quality-picker');
    if (!picker || !el('chart-quality-overview')) {
      qualityDetail(data.variants.map(function (_, i) { return i; }));
      return;
    }
    var chosen = bestAndWorst();
    var on = data.variants.map(function (_, i) { return chosen.indexOf(i) >= 0; });
    function selected() { return on.map(function (x, i) { return x ? i : -1; }).filter(function (i) { return i >= 0; }); }
    picker.innerHTML = pickerHtml(on);
    var detail = qualityDetail(selected());
    var overview = null;
    function refresh() {
      var shown = selected();
      detail.data.datasets = qualityDatasets(shown);
      detail.options.scales.ySim.min = simAxisMin(shown);
      detail.options.scales.ySim.display = anyPatches(shown);
      detail.update();
      // The detail's right axes come and go with the variants shown: line the time axes up again.
      if (overview) alignTimeAxes([overview, detail]);
      Array.prototype.forEach.call(picker.querySelectorAll('input'), function (box) { box.checked = on[Number(box.getAttribute('data-index'))]; });
    }
    function toggle(i) {
      on[i] = !on[i];
      refresh();
    }
    picker.addEventListener('change', function (ev) {
      var i = Number(ev.target.getAttribute('data-index'));
      if (i >= 0 && i < n) {
        on[i] = ev.target.checked;
        refresh();
      }
    });
    overview = qualityOverview(selected, toggle);
    qualityScaleLegend();
    alignTimeAxes([overview, detail]);
    window.__jitterlabQuality = { selected: selected, toggle: toggle };
  })();

  // Packet timeline per variant: network delay by send time, playout deadline, outcomes marked.
  data.variants.forEach(function (v, i) {
    var p = v.packets;
    make('chart-packets-' + i, {
      type: 'scatter',
      data: {
        datasets: [
          { type: 'line', label: 'playout deadline (playout - send)', data: p.deadline, borderColor: '#333', borderWidth: 1.2, pointRadius: 0, stepped: true },
          { label: 'received (' + p.counts.received + ')', data: p.received, backgroundColor: 'rgba(31,119,180,0.5)', pointRadius: 1.5 },
          { label: 'late, discarded (' + p.counts.late + ')', data: p.late, backgroundColor: '#ff7f0e', pointRadius: 3.5, pointStyle: 'triangle' },
          { label: 'lost in network (' + p.counts.lost + ')', data: p.lost, backgroundColor: '#d62728', borderColor: '#d62728', pointRadius: 4, pointStyle: 'crossRot', borderWidth: 2 },
          { label: 'recovered by FEC/RED/parity/RTX (' + p.counts.recovered + ')', data: p.recovered, backgroundColor: '#2ca02c', pointRadius: 4, pointStyle: 'rect' },
          { label: 'concealed (' + p.counts.concealed + ')', data: p.concealed, backgroundColor: '#9467bd', pointRadius: 4, pointStyle: 'star', borderColor: '#9467bd' },
        ],
      },
      options: timeOptions('delay (ms)', function (o) { o.scales.x.title.text = 'send time (s)'; o.scales.y.min = 0; o.scales.y.suggestedMax = p.lostY; }),
    });
  });

  // Jitter-buffer level and target, overlaid for every variant.
  (function () {
    var ds = [];
    data.variants.forEach(function (v, i) {
      ds.push({ type: 'line', label: label(v, 'buffer level'), data: v.jb.level, borderColor: colour(i), borderWidth: 1, pointRadius: 0 });
      ds.push({ type: 'line', label: label(v, 'target delay'), data: v.jb.target, borderColor: colour(i, 0.9), borderDash: [6, 3], borderWidth: 2, pointRadius: 0, stepped: true });
    });
    make('chart-jb', { type: 'line', data: { datasets: ds }, options: timeOptions('ms', function (o) { o.scales.y.min = 0; }) });
  })();

  // Sender adaptation (variants that adapt only): rates, queue delay and loss, codec settings.
  (function () {
    var ad = data.adaptation || [];
    if (!ad.length) return;
    var several = ad.length > 1;
    function alabel(a, what) { return several ? a.name + ': ' + what : what; }
    // A single adapting variant: one colour per quantity. Several: one colour per variant (the
    // variant's colour everywhere in the report), quantities told apart by dash and width.
    function qcol(a, k, alpha) { return colour(several ? a.index : k, alpha); }
    function line(a, k, what, pts, extra) {
      var d = { type: 'line', label: alabel(a, what), data: pts, borderColor: qcol(a, k), backgroundColor: qcol(a, k), pointRadius: 0, borderWidth: 1.5 };
      Object.keys(extra || {}).forEach(function (key) { d[key] = extra[key]; });
      return d;
    }
    function hasValue(pts) { return pts.some(function (p) { return p.y !== null; }); }
    var group = [];

    // Rates in kbit/s; the capacity once, unless a variant met a different bottleneck.
    (function () {
      var ds = [];
      var firstCap = null;
      ad.forEach(function (a) {
        var r = a.rates;
        ds.push(line(a, 0, 'estimate (combined)', r.estimate, { borderWidth: 2.5 }));
        if (r.delayBased) ds.push(line(a, 2, 'delay-based estimate', r.delayBased, { borderDash: [6, 3], borderWidth: 1.2 }));
        if (r.lossBased) ds.push(line(a, 1, 'loss-based estimate', r.lossBased, { borderDash: [2, 3], borderWidth: 1.2 }));
        if (r.acked) ds.push(line(a, 3, 'acknowledged rate', r.acked, { borderDash: [1, 2], borderWidth: 1, hidden: true }));
        ds.push(line(a, 4, 'send rate', r.sendRate, { borderWidth: 1, borderColor: qcol(a, 4, several ? 0.55 : 1) }));
        if (r.crossTraffic) ds.push(line(a, 8, 'cross traffic', r.crossTraffic, { borderDash: [4, 4], borderWidth: 1, borderColor: '#7f7f7f', backgroundColor: '#7f7f7f' }));
        if (!hasValue(r.capacity)) return;
        var key = JSON.stringify(r.capacity);
        if (firstCap !== null && key === firstCap) return;
        ds.push({ type: 'line', label: firstCap === null ? 'bottleneck capacity' : a.name + ': bottleneck capacity', data: r.capacity, borderColor: '#222', backgroundColor: '#222', borderWidth: 2, pointRadius: 0, stepped: true });
        if (firstCap === null) firstCap = key;
      });
      group.push(make('chart-adapt-rates', { type: 'line', data: { datasets: ds }, options: timeOptions('kbit/s', function (o) { o.scales.y.min = 0; }) }));
    })();

    // Queue delay and RTT (ms, left), network and reported loss (%, right).
    (function () {
      var ds = [];
      ad.forEach(function (a) {
        var n = a.network;
        ds.push(line(a, 0, 'bottleneck queue delay (max per interval)', n.queueDelayMs, { yAxisID: 'y' }));
        if (n.rttMs) ds.push(line(a, 2, 'RTT (RTCP)', n.rttMs, { yAxisID: 'y', borderDash: [6, 3], borderWidth: 1.2 }));
        ds.push(line(a, 1, 'network loss (% per interval)', n.lossPct, { yAxisID: 'yLoss', stepped: true, borderColor: qcol(a, 1, 0.8) }));
        if (n.reportedLossPct) ds.push(line(a, 3, 'loss reported to the sender (%)', n.reportedLossPct, { yAxisID: 'yLoss', stepped: true, borderDash: [2, 3] }));
      });
      group.push(make('chart-adapt-network', {
        type: 'line',
        data: { datasets: ds },
        options: timeOptions('ms', function (o) {
          o.scales.y.min = 0;
          o.scales.yLoss = { min: 0, suggestedMax: 10, position: 'right', title: { display: true, text: 'loss %' }, grid: { drawOnChartArea: false } };
        }),
      }));
    })();

    // Opus bitrate (kbit/s, left) and expected loss for FEC (%, right), as step lines.
    (function () {
      var ds = [];
      ad.forEach(function (a) {
        var c = a.codec;
        if (c.bitrateKbps.length) ds.push(line(a, 0, 'Opus bitrate', c.bitrateKbps, { yAxisID: 'y', stepped: true, borderWidth: 2 }));
        if (c.expectedLossPct.length) ds.push(line(a, 1, 'expected loss for FEC (%)', c.expectedLossPct, { yAxisID: 'yPct', stepped: true, borderDash: [5, 3] }));
      });
      group.push(make('chart-adapt-codec', {
        type: 'line',
        data: { datasets: ds },
        options: timeOptions('kbit/s', function (o) {
          o.scales.y.min = 0;
          o.scales.yPct = { min: 0, suggestedMax: 10, position: 'right', title: { display: true, text: 'expected loss %' }, grid: { drawOnChartArea: false } };
        }),
      }));
    })();

    // FEC and RED on/off: one row per variant and flag, raised and filled while on.
    (function () {
      var ds = [];
      var rows = [];
      ad.forEach(function (a) {
        [['fec', 'in-band FEC', 2], ['red', 'RED', 4]].forEach(function (f) {
          var k = rows.length;
          rows.push(alabel(a, f[1]));
          var pts = a.codec[f[0]].map(function (p) { return { x: p.x, y: p.y === null ? null : k + (p.y > 0 ? 0.7 : 0) }; });
          ds.push(line(a, f[2], f[1] + ' on', pts, { stepped: true, borderWidth: 1.5, fill: { value: k }, backgroundColor: qcol(a, f[2], 0.3) }));
        });
      });
      group.push(make('chart-adapt-flags', {
        type: 'line',
        data: { datasets: ds },
        options: timeOptions('', function (o) {
          o.plugins.legend = { display: false };
          o.scales.y = {
            min: -0.2,
            max: rows.length - 0.1,
            title: { display: false },
            afterBuildTicks: function (scale) { scale.ticks = rows.map(function (_, k) { return { value: k }; }); },
            ticks: { callback: function (v) { return rows[v] !== undefined ? rows[v] : ''; } },
          };
        }),
      }));
    })();

    alignTimeAxes(group);
  })();

  // Delay CDF (overlaid) and histogram.
  (function () {
    var ds = data.variants.map(function (v, i) {
      return { type: 'line', label: label(v, 'network delay CDF'), data: v.delay.cdf, borderColor: colour(i), pointRadius: 0, borderWidth: 2, stepped: true };
    });
    make('chart-cdf', {
      type: 'line',
      data: { datasets: ds },
      options: { parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 'one-way network delay (ms)' } }, y: { min: 0, max: 1, title: { display: true, text: 'fraction of packets' } } }, plugins: { legend: { position: 'bottom' } } },
    });
    var v0 = data.variants[0];
    var h = v0.delay.hist;
    make('chart-hist', {
      type: 'bar',
      data: {
        labels: h.edges.map(function (e) { return (e + h.width / 2).toFixed(1); }),
        datasets: [{ label: 'packets per ' + h.width.toFixed(2) + ' ms bin (' + v0.name + ')', data: h.counts, backgroundColor: colour(0, 0.6), barPercentage: 1, categoryPercentage: 1 }],
      },
      options: { scales: { x: { title: { display: true, text: 'one-way network delay (ms)' } }, y: { beginAtZero: true, title: { display: true, text: 'packets' } } }, plugins: { legend: { position: 'bottom' } } },
    });
  })();

  // Loss burst lengths: network bursts, post-recovery bursts per variant.
  (function () {
    var maxLen = 1;
    data.variants.forEach(function (v) {
      v.bursts.network.concat(v.bursts.postRecovery).forEach(function (b) { maxLen = Math.max(maxLen, b[0]); });
    });
    maxLen = Math.min(maxLen, 60);
    var labels = [];
    for (var k = 1; k <= maxLen; k++) labels.push(k === 60 ? '60+' : String(k));
    function bins(list) {
      var out = labels.map(function () { return 0; });
      list.forEach(function (b) { out[Math.min(maxLen, b[0]) - 1] += b[1]; });
      return out;
    }
    var ds = [{ label: 'network loss bursts', data: bins(data.variants[0].bursts.network), backgroundColor: 'rgba(214,39,40,0.6)' }];
    data.variants.forEach(function (v, i) {
      ds.push({ label: label(v, 'after recovery (concealed runs)'), data: bins(v.bursts.postRecovery), backgroundColor: colour(i + 3, 0.7) });
    });
    make('chart-bursts', {
      type: 'bar',
      data: { labels: labels, datasets: ds },
      options: { scales: { x: { title: { display: true, text: 'burst length (packets / frames)' } }, y: { beginAtZero: true, title: { display: true, text: 'bursts' }, ticks: { precision: 0 } } }, plugins: { legend: { position: 'bottom' } } },
    });
  })();

  // Latency budget, stacked, one bar per variant, against G.114's 150 / 400 ms.
  (function () {
    var parts = [
      ['packetizationMs', 'packetization'],
      ['codecMs', 'codec lookahead'],
      ['networkMs', 'network (mean)'],
      ['jitterBufferMs', 'jitter buffer (mean)'],
      ['playoutMs', 'device buffer'],
    ];
    var ds = parts.map(function (p, k) {
      return { label: p[1], data: data.variants.map(function (v) { return v.latency[p[0]] || 0; }), backgroundColor: colour(k, 0.75) };
    });
    var maxM2e = Math.max.apply(null, data.variants.map(function (v) { return v.headline.mouthToEarMs; }));
    make('chart-latency', {
      type: 'bar',
      data: { labels: data.variants.map(function (v) { return v.name; }), datasets: ds },
      options: {
        indexAxis: 'y',
        scales: { x: { stacked: true, min: 0, suggestedMax: Math.max(420, maxM2e * 1.1), title: { display: true, text: 'mouth-to-ear delay (ms)' } }, y: { stacked: true } },
        plugins: { legend: { position: 'bottom' }, jlLines: { lines: [{ value: 150, label: 'G.114 150 ms', colour: '#e69500' }, { value: 400, label: 'G.114 400 ms', colour: '#d62728' }] } },
      },
    });
  })();

  // Per-band ViSQOL similarity.
  (function () {
    var withBands = data.variants.filter(function (v) { return v.scores.fvnsim.length; });
    if (!withBands.length || !el('chart-bands')) return;
    make('chart-bands', {
      type: 'bar',
      data: {
        labels: withBands[0].scores.centerFreqsHz.map(function (f) { return f < 1000 ? f.toFixed(0) : (f / 1000).toFixed(1) + 'k'; }),
        datasets: withBands.map(function (v, i) { return { label: label(v, 'band similarity (fvnsim)'), data: v.scores.fvnsim, backgroundColor: colour(i, 0.7) }; }),
      },
      options: { scales: { x: { title: { display: true, text: 'gammatone band centre (Hz)' } }, y: { min: 0, max: 1, title: { display: true, text: 'NSIM' } } }, plugins: { legend: { position: 'bottom' } } },
    });
  })();

  // Waveform strips: min/max peaks, concealed regions in red, a playhead, click to seek.
  function drawWave(canvas) {
    var peaks = canvas.__peaks;
    var ctx = canvas.getContext('2d');
    var dpr = window.devicePixelRatio || 1;
    var w = Math.max(50, canvas.clientWidth);
    var h = Math.max(20, canvas.clientHeight);
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fafafa';
    ctx.fillRect(0, 0, w, h);
    var dur = peaks ? peaks.durationS : 0;
    var regions = canvas.__regions || [];
    if (dur > 0) {
      ctx.fillStyle = 'rgba(214,39,40,0.28)';
      regions.forEach(function (r) {
        var a = (r[0] / dur) * w;
        var b = (r[1] / dur) * w;
        ctx.fillRect(a, 0, Math.max(1, b - a), h);
      });
    }
    ctx.strokeStyle = '#1f4e79';
    ctx.lineWidth = 1;
    if (peaks && peaks.min.length) {
      var n = peaks.min.length;
      ctx.beginPath();
      for (var i = 0; i < n; i++) {
        var x = ((i + 0.5) / n) * w;
        ctx.moveTo(x, h / 2 - peaks.max[i] * (h / 2));
        ctx.lineTo(x, h / 2 - peaks.min[i] * (h / 2) + 0.5);
      }
      ctx.stroke();
    }
    ctx.strokeStyle = '#bbb';
    ctx.beginPath();
    ctx.moveTo(0, h / 2);
    ctx.lineTo(w, h / 2);
    ctx.stroke();
    var audio = canvas.__audio;
    if (audio && dur > 0 && audio.currentTime > 0) {
      var px = (audio.currentTime / dur) * w;
      ctx.strokeStyle = '#000';
      ctx.beginPath();
      ctx.moveTo(px, 0);
      ctx.lineTo(px, h);
      ctx.stroke();
    }
  }
  var waves = [];
  Array.prototype.forEach.call(document.querySelectorAll('canvas.wave'), function (canvas) {
    var kind = canvas.getAttribute('data-kind');
    var idx = Number(canvas.getAttribute('data-index'));
    if (kind === 'reference') {
      canvas.__peaks = data.references[canvas.getAttribute('data-file')];
      canvas.__regions = [];
    } else {
      canvas.__peaks = data.variants[idx].wave.degraded;
      canvas.__regions = data.variants[idx].wave.concealed;
    }
    canvas.__audio = document.getElementById(canvas.getAttribute('data-audio'));
    if (canvas.__audio) {
      canvas.__audio.addEventListener('timeupdate', function () { drawWave(canvas); });
      canvas.addEventListener('click', function (ev) {
        var peaks = canvas.__peaks;
        if (!peaks) return;
        var rect = canvas.getBoundingClientRect();
        canvas.__audio.currentTime = ((ev.clientX - rect.left) / rect.width) * peaks.durationS;
      });
    }
    drawWave(canvas);
    waves.push(canvas);
  });
  window.addEventListener('resize', function () { waves.forEach(drawWave); });

  window.__jitterlabReport = { ready: true, charts: charts.length, waves: waves.length };
})();
