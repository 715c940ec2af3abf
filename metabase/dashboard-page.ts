// The dashboard page's HTML: one placeholder per card of the spec, laid out on Metabase's 24-column grid;
// assets/dashboard.js fills them from the card endpoints.
import type { DashboardSpec } from './dashboard-spec';

const ROW_HEIGHT_PX = 56;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function dashboardPage(spec: DashboardSpec): string {
  const cards = spec.cards
    .map((card) => {
      const { row, col, sizeX, sizeY } = card.layout;
      const area = `grid-row: ${row + 1} / span ${sizeY}; grid-column: ${col + 1} / span ${sizeX};`;
      return `<section class="card" id="card-${card.id}" data-card="${card.id}" style="${area}">
  <header><h2>${escapeHtml(card.title)}</h2><p>${escapeHtml(card.description)}</p></header>
  <div class="body"><p class="status">loading…</p></div>
</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(spec.name)}</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<style>.grid { grid-auto-rows: ${ROW_HEIGHT_PX}px; }</style>
</head>
<body>
<header class="top"><h1>${escapeHtml(spec.name)}</h1><p>${escapeHtml(spec.description)}</p>
<p class="updated" id="updated">refreshing every ${spec.refreshSeconds} s</p></header>
<main class="grid">
${cards}
</main>
<script src="/assets/chart.umd.js"></script>
<script src="/assets/dashboard.js" data-refresh-seconds="${spec.refreshSeconds}"></script>
</body>
</html>
`;
}
