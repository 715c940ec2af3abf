// Browser side of the local dashboard: reads the filters from the URL, fetches each card's rows under them
// and draws them (Chart.js for line, bar and candle charts, an HTML table otherwise), again every
// refreshSeconds. Numbers are grouped and rounded, money carries its currency, tooltips give exact values,
// every tile says how old its newest row is, and a symbol links to its own view (the drill-down).
/* global document, window, fetch, Chart, URLSearchParams */
'use strict';

(function () {
  const script = document.currentScript;
  const refreshSeconds = Number(script && script.dataset.refreshSeconds) || 15;
  const body = document.body;
  const drilldownFilter = body.dataset.drilldownFilter;
  const drilldownValue = body.dataset.drilldownValue;
  const LOCALE = 'en-US';
  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
  const UP = '#16a34a';
  const DOWN = '#dc2626';
  const charts = new Map();
  const formatters = new Map();
  let spec;
  let refreshes = 0;

  function numberFormat(options) {
    const key = JSON.stringify(options);
    if (!formatters.has(key)) formatters.set(key, new Intl.NumberFormat(LOCALE, options));
    return formatters.get(key);
  }

  function isNumber(value) {
    return value !== null && value !== '' && typeof value !== 'boolean' && Number.isFinite(Number(value));
  }

  /** A value for people: grouped and rounded (exact: up to 6 decimals), in its currency when it is money. */
  function formatValue(card, column, value, row, exact) {
    if (value === null || value === undefined) return '';
    if (!isNumber(value)) return String(value);
    const n = Number(value);
    const format = (card.columns || {})[column] || {};
    const currency = format.currency || (format.currencyColumn && row[format.currencyColumn]);
    if (currency) {
      return numberFormat({
        style: 'currency',
        currency,
        maximumFractionDigits: exact ? 6 : undefined,
      }).format(n);
    }
    if (format.percent)
      return (
        numberFormat({ minimumFractionDigits: 2, maximumFractionDigits: exact ? 6 : 2 }).format(n) + ' %'
      );
    return numberFormat({ maximumFractionDigits: exact ? 6 : 2 }).format(n);
  }

  /** Axis ticks: compact, in the currency of the first row when the axis shows money. */
  function tickFormatter(card, column, rows) {
    const format = (card.columns || {})[column] || {};
    const currency = format.currency || (format.currencyColumn && rows[0] && rows[0][format.currencyColumn]);
    const options = { notation: 'compact', maximumFractionDigits: 2 };
    if (currency) Object.assign(options, { style: 'currency', currency });
    return (value) => numberFormat(options).format(value) + (format.percent ? ' %' : '');
  }

  function parseTime(value) {
    const match =
      /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(?:([+-]\d{2})(?::?(\d{2}))?)?$/.exec(
        String(value),
      );
    if (!match) return null;
    const zone = match[3] ? match[3] + ':' + (match[4] || '00') : 'Z';
    const date = new Date(match[1] + 'T' + (match[2] || '00:00') + zone);
    return Number.isNaN(date.getTime()) ? null : date;
  }

  function label(value) {
    // Timestamps ("2024-01-01 10:05:00+00") read better as "01-01 10:05"; dates stay whole.
    const match = /^\d{4}-(\d{2}-\d{2})[ T](\d{2}:\d{2})/.exec(String(value));
    return match ? match[1] + ' ' + match[2] : String(value);
  }

  function timestampCell(value) {
    const match = /^\d{4}-(\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(String(value));
    return match ? match[1] + ' ' + match[2] : String(value);
  }

  function age(newest) {
    const time = parseTime(newest);
    if (!time) return 'newest data: ' + (newest || 'unknown');
    const seconds = Math.max(0, (Date.now() - time.getTime()) / 1000);
    const text =
      seconds < 90
        ? Math.round(seconds) + ' s'
        : seconds < 90 * 60
          ? Math.round(seconds / 60) + ' min'
          : seconds < 48 * 3600
            ? Math.round(seconds / 3600) + ' h'
            : numberFormat({ maximumFractionDigits: 0 }).format(seconds / 86400) + ' days';
    return 'newest data ' + text + ' old (' + label(newest) + ' UTC)';
  }

  function numeric(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function drilldownHref(value) {
    const params = currentFilters();
    params.delete(drilldownFilter || spec.drilldown.filter);
    const query = params.toString();
    return '/' + spec.drilldown.column + '/' + encodeURIComponent(value) + (query ? '?' + query : '');
  }

  function canDrill(column) {
    return !!spec.drilldown && !drilldownValue && column === spec.drilldown.column;
  }

  function xLabels(vis, rows) {
    const labels = [];
    const seen = new Set();
    for (const row of rows) {
      const x = label(row[vis.x]);
      if (!seen.has(x)) {
        seen.add(x);
        labels.push(x);
      }
    }
    return labels;
  }

  function baseOptions(card, yColumn, rows, tooltipLabel) {
    const vis = card.visualization;
    return {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked: !!vis.stacked },
        y: {
          stacked: !!vis.stacked,
          title: { display: !!vis.yTitle, text: vis.yTitle || '' },
          ticks: { callback: tickFormatter(card, yColumn, rows) },
        },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 12 } },
        tooltip: { callbacks: { label: tooltipLabel } },
      },
    };
  }

  function lineOrBarConfig(card, rows) {
    const vis = card.visualization;
    const labels = xLabels(vis, rows);
    let datasets;
    if (vis.series) {
      const bySeries = new Map();
      for (const row of rows) {
        const name = String(row[vis.series]);
        if (!bySeries.has(name)) bySeries.set(name, new Map());
        bySeries.get(name).set(label(row[vis.x]), row);
      }
      datasets = Array.from(bySeries, ([name, points]) => {
        const source = labels.map((x) => points.get(x) || null);
        return {
          label: name,
          column: vis.y[0],
          source,
          data: source.map((row) => (row ? numeric(row[vis.y[0]]) : null)),
        };
      });
    } else {
      const byX = new Map(rows.map((row) => [label(row[vis.x]), row]));
      const source = labels.map((x) => byX.get(x));
      datasets = vis.y.map((column) => ({
        label: column,
        column,
        source,
        data: source.map((row) => numeric(row[column])),
      }));
    }
    datasets.forEach((dataset, i) => {
      const color = PALETTE[i % PALETTE.length];
      const points = dataset.data.filter((v) => v !== null).length;
      Object.assign(dataset, {
        borderColor: color,
        backgroundColor: color,
        spanGaps: true,
        // A line needs two points: a lone point is drawn as a dot so a single hour of data still shows.
        pointRadius: points <= 1 ? 4 : 0,
        pointHoverRadius: 5,
        pointHitRadius: 6,
      });
    });
    const tooltipLabel = (ctx) => {
      const row = ctx.dataset.source[ctx.dataIndex];
      if (!row) return ctx.dataset.label + ': –';
      let text =
        ctx.dataset.label + ': ' + formatValue(card, ctx.dataset.column, row[ctx.dataset.column], row, true);
      for (const column of vis.tooltip || [])
        text += ' · ' + column + ' ' + formatValue(card, column, row[column], row, true);
      return text;
    };
    const options = baseOptions(card, vis.y[0], rows, tooltipLabel);
    if (vis.series && canDrill(vis.series)) {
      options.onClick = (_event, elements, chart) => {
        if (elements.length === 0) return;
        const nearest =
          chart.getElementsAtEventForMode(_event, 'nearest', { intersect: false }, true)[0] || elements[0];
        window.location.assign(drilldownHref(chart.data.datasets[nearest.datasetIndex].label));
      };
    }
    return { type: vis.type, data: { labels, datasets }, options };
  }

  /** Candles as floating bars (Chart.js draws [low, high] and [open, close] ranges natively). */
  function candlestickConfig(card, rows) {
    const vis = card.visualization;
    const labels = rows.map((row) => label(row[vis.x]));
    const colors = rows.map((row) => (Number(row[vis.close]) >= Number(row[vis.open]) ? UP : DOWN));
    const range = (a, b) => [Math.min(a, b), Math.max(a, b)];
    const datasets = [
      {
        type: 'bar',
        label: 'high–low',
        role: 'wick',
        data: rows.map((row) => range(Number(row[vis.low]), Number(row[vis.high]))),
        backgroundColor: colors,
        barPercentage: 0.12,
        // A minute with one price (high = low, open = close) still shows its candle.
        minBarLength: 2,
        grouped: false,
        order: 2,
      },
      {
        type: 'bar',
        label: 'open–close',
        role: 'body',
        data: rows.map((row) => range(Number(row[vis.open]), Number(row[vis.close]))),
        backgroundColor: colors,
        barPercentage: 0.7,
        minBarLength: 2,
        grouped: false,
        order: 1,
      },
      ...vis.overlay.map((column, i) => ({
        type: 'line',
        label: column,
        column,
        data: rows.map((row) => numeric(row[column])),
        borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length],
        pointRadius: rows.length <= 1 ? 4 : 0,
        order: 0,
      })),
    ];
    const tooltipLabel = (ctx) => {
      const row = rows[ctx.dataIndex];
      const f = (column) => formatValue(card, column, row[column], row, true);
      if (ctx.dataset.role === 'wick') return 'high ' + f(vis.high) + ' · low ' + f(vis.low);
      if (ctx.dataset.role === 'body') return 'open ' + f(vis.open) + ' · close ' + f(vis.close);
      return ctx.dataset.label + ': ' + f(ctx.dataset.column);
    };
    const options = baseOptions(card, vis.close, rows, tooltipLabel);
    // Prices are read against each other, not against zero.
    options.scales.y.beginAtZero = false;
    return { type: 'bar', data: { labels, datasets }, options };
  }

  function renderTable(card, target, data) {
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const column of data.columns) {
      const th = document.createElement('th');
      th.textContent = column.name;
      head.appendChild(th);
    }
    const tbody = table.createTBody();
    for (const row of data.rows) {
      const tr = tbody.insertRow();
      for (const column of data.columns) {
        const td = tr.insertCell();
        const value = row[column.name];
        if (value === null) continue;
        if (/^(TIMESTAMP|DATE)/.test(column.type)) {
          td.textContent = timestampCell(value);
        } else if (/INT|DECIMAL|DOUBLE|FLOAT/.test(column.type)) {
          td.textContent = formatValue(card, column.name, value, row, false);
          td.title = formatValue(card, column.name, value, row, true);
          td.className = 'num';
        } else if (canDrill(column.name)) {
          const link = document.createElement('a');
          link.href = drilldownHref(value);
          link.textContent = String(value);
          link.dataset.drilldown = String(value);
          td.appendChild(link);
        } else {
          td.textContent = String(value);
        }
      }
    }
    target.replaceChildren(table);
  }

  function destroyChart(cardId) {
    const chart = charts.get(cardId);
    if (chart) {
      chart.destroy();
      charts.delete(cardId);
    }
  }

  function renderStatus(cardId, target, text, kind) {
    destroyChart(cardId);
    const p = document.createElement('p');
    p.className = 'status ' + kind;
    p.textContent = text;
    target.replaceChildren(p);
  }

  function renderChart(card, target, data) {
    destroyChart(card.id);
    const vis = card.visualization;
    const config =
      vis.type === 'candlestick' ? candlestickConfig(card, data.rows) : lineOrBarConfig(card, data.rows);
    const wrap = document.createElement('div');
    wrap.className = 'chart';
    const canvas = document.createElement('canvas');
    wrap.appendChild(canvas);
    const parts = [wrap];
    if (vis.series && canDrill(vis.series)) {
      const nav = document.createElement('nav');
      nav.className = 'drill';
      for (const dataset of config.data.datasets) {
        const link = document.createElement('a');
        link.href = drilldownHref(dataset.label);
        link.textContent = dataset.label;
        link.dataset.drilldown = dataset.label;
        link.style.borderColor = dataset.borderColor;
        nav.appendChild(link);
      }
      parts.push(nav);
    }
    target.replaceChildren(...parts);
    charts.set(card.id, new Chart(canvas, config));
  }

  function currentFilters() {
    const params = new URLSearchParams();
    for (const select of document.querySelectorAll('[data-filter]')) {
      if (select.value !== '') params.set(select.dataset.filter, select.value);
    }
    return params;
  }

  function cardQuery() {
    const params = currentFilters();
    if (drilldownFilter) params.set(drilldownFilter, drilldownValue);
    return params.toString();
  }

  async function refreshCard(card, query) {
    const section = document.getElementById('card-' + card.id);
    const target = section.querySelector('.body');
    const footer = section.querySelector('[data-age]');
    try {
      const response = await fetch('/api/cards/' + card.id + (query ? '?' + query : ''), {
        cache: 'no-store',
      });
      const data = await response.json();
      section.dataset.status = data.status || 'error';
      if (data.status === 'no_data') {
        footer.textContent = 'newest data: none';
        return renderStatus(card.id, target, 'No data yet', 'empty');
      }
      if (data.status !== 'ok') {
        footer.textContent = 'newest data: –';
        return renderStatus(card.id, target, 'Query failed: ' + (data.message || data.error), 'error');
      }
      footer.textContent = age(data.newest);
      footer.dataset.newest = data.newest || '';
      if (card.visualization.type === 'table') {
        destroyChart(card.id);
        return renderTable(card, target, data);
      }
      if (card.visualization.type === 'scalar') {
        const column = card.visualization.y[0];
        return renderStatus(
          card.id,
          target,
          formatValue(card, column, data.rows[0][column], data.rows[0], false),
          'scalar',
        );
      }
      renderChart(card, target, data);
    } catch (error) {
      section.dataset.status = 'error';
      renderStatus(card.id, target, 'Dashboard server unreachable: ' + error.message, 'error');
    }
  }

  async function refreshAll() {
    const query = cardQuery();
    const cards = drilldownValue ? spec.drilldown.cards : spec.cards;
    await Promise.all(cards.map((card) => refreshCard(card, query)));
    refreshes += 1;
    document.getElementById('updated').textContent =
      'updated ' + new Date().toLocaleTimeString(LOCALE) + ' · refreshing every ' + refreshSeconds + ' s';
    body.dataset.refreshes = String(refreshes);
    body.dataset.loaded = 'true';
  }

  async function loadFilterValues() {
    const response = await fetch('/api/filters', { cache: 'no-store' });
    const values = await response.json();
    const fromUrl = new URLSearchParams(window.location.search);
    for (const select of document.querySelectorAll('[data-filter]')) {
      const id = select.dataset.filter;
      const wanted = fromUrl.get(id);
      const filter = spec.filters.find((f) => f.id === id);
      if (filter && filter.type === 'text') {
        for (const value of values[id] || []) select.add(new window.Option(value, value));
        if (wanted && !Array.from(select.options).some((o) => o.value === wanted))
          select.add(new window.Option(wanted, wanted));
      }
      if (wanted !== null) select.value = wanted;
    }
  }

  /** A failure outside the cards (each card shows its own): said in the header, in place of the refresh time. */
  function showPageError(what, error) {
    body.dataset.status = 'error';
    const updated = document.getElementById('updated');
    updated.classList.add('error');
    updated.textContent = what + ': ' + error.message;
  }

  function refreshAllOrSay() {
    refreshAll().catch((error) => showPageError('Refresh failed', error));
  }

  function onFilterChange() {
    const query = currentFilters().toString();
    window.history.replaceState(null, '', window.location.pathname + (query ? '?' + query : ''));
    refreshAllOrSay();
  }

  fetch('/api/dashboard', { cache: 'no-store' })
    .then((response) => response.json())
    .then(async (loaded) => {
      spec = loaded;
      await loadFilterValues();
      document.getElementById('filters').addEventListener('change', onFilterChange);
      const back = document.querySelector('[data-back]');
      if (back) {
        const query = currentFilters().toString();
        back.href = '/' + (query ? '?' + query : '');
      }
      await refreshAll();
      window.setInterval(refreshAllOrSay, refreshSeconds * 1000);
    })
    .catch((error) => showPageError('Dashboard could not load', error));
})();
