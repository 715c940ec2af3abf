// Browser side of the local dashboard: fetches each card's rows and draws them (Chart.js for line and bar
// charts, an HTML table otherwise), again every refreshSeconds; a card without rows says "no data yet".
/* global document, window, fetch, Chart */
'use strict';

(function () {
  const script = document.currentScript;
  const refreshSeconds = Number(script && script.dataset.refreshSeconds) || 15;
  const charts = new Map();
  const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

  function label(value) {
    // Timestamps ("2024-01-01 10:05:00+00") read better as "01-01 10:05".
    const match = /^\d{4}-(\d{2}-\d{2})[ T](\d{2}:\d{2})/.exec(String(value));
    return match ? match[1] + ' ' + match[2] : String(value);
  }

  function timestampCell(value) {
    const match = /^\d{4}-(\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(String(value));
    return match ? match[1] + ' ' + match[2] : String(value);
  }

  function numeric(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function chartConfig(vis, rows) {
    const labels = [];
    const seen = new Set();
    for (const row of rows) {
      const x = label(row[vis.x]);
      if (!seen.has(x)) {
        seen.add(x);
        labels.push(x);
      }
    }
    let datasets;
    if (vis.series) {
      const bySeries = new Map();
      for (const row of rows) {
        const name = String(row[vis.series]);
        if (!bySeries.has(name)) bySeries.set(name, new Map());
        bySeries.get(name).set(label(row[vis.x]), numeric(row[vis.y[0]]));
      }
      datasets = Array.from(bySeries, ([name, points]) => ({
        label: name,
        data: labels.map((x) => (points.has(x) ? points.get(x) : null)),
      }));
    } else {
      datasets = vis.y.map((column) => ({ label: column, data: rows.map((row) => numeric(row[column])) }));
    }
    datasets.forEach((dataset, i) => {
      dataset.borderColor = PALETTE[i % PALETTE.length];
      dataset.backgroundColor = PALETTE[i % PALETTE.length];
      dataset.spanGaps = true;
      dataset.pointRadius = 0;
    });
    return {
      type: vis.type,
      data: { labels, datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: { x: { stacked: !!vis.stacked }, y: { stacked: !!vis.stacked } },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      },
    };
  }

  function renderTable(body, data) {
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
        td.textContent =
          value === null ? '' : /^TIMESTAMP/.test(column.type) ? timestampCell(value) : String(value);
        if (/INT|DECIMAL|DOUBLE|FLOAT/.test(column.type)) td.className = 'num';
      }
    }
    body.replaceChildren(table);
  }

  function renderStatus(cardId, body, text, kind) {
    const chart = charts.get(cardId);
    if (chart) {
      chart.destroy();
      charts.delete(cardId);
    }
    const p = document.createElement('p');
    p.className = 'status ' + kind;
    p.textContent = text;
    body.replaceChildren(p);
  }

  function renderChart(card, body, data) {
    const config = chartConfig(card.visualization, data.rows);
    const existing = charts.get(card.id);
    if (existing) {
      existing.data = config.data;
      existing.update('none');
      return;
    }
    const canvas = document.createElement('canvas');
    body.replaceChildren(canvas);
    charts.set(card.id, new Chart(canvas, config));
  }

  async function refreshCard(card) {
    const section = document.getElementById('card-' + card.id);
    const body = section.querySelector('.body');
    try {
      const response = await fetch('/api/cards/' + card.id, { cache: 'no-store' });
      const data = await response.json();
      section.dataset.status = data.status;
      if (data.status === 'no_data') return renderStatus(card.id, body, 'No data yet', 'empty');
      if (data.status !== 'ok') return renderStatus(card.id, body, 'Query failed: ' + data.message, 'error');
      if (card.visualization.type === 'table') {
        renderStatus(card.id, body, '', 'empty');
        return renderTable(body, data);
      }
      if (card.visualization.type === 'scalar') {
        return renderStatus(card.id, body, String(data.rows[0][card.visualization.y[0]]), 'scalar');
      }
      renderChart(card, body, data);
    } catch (error) {
      section.dataset.status = 'error';
      renderStatus(card.id, body, 'Dashboard server unreachable: ' + error.message, 'error');
    }
  }

  async function refreshAll(spec) {
    await Promise.all(spec.cards.map(refreshCard));
    document.getElementById('updated').textContent =
      'updated ' + new Date().toLocaleTimeString() + ' · refreshing every ' + refreshSeconds + ' s';
    document.body.dataset.loaded = 'true';
  }

  fetch('/api/dashboard', { cache: 'no-store' })
    .then((response) => response.json())
    .then((spec) => {
      refreshAll(spec);
      window.setInterval(() => refreshAll(spec), refreshSeconds * 1000);
    });
})();
