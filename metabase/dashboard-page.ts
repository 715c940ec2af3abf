// The dashboard page's HTML: the filter bar and one placeholder per card, laid out on Metabase's 24-column
// grid; assets/dashboard.js fills them from the card endpoints. With a drill-down value it is that value's
// own view (one symbol), with the drill-down cards and that filter fixed.
import { templateTags } from './card-sql';
import type { CardSpec, DashboardSpec, FilterSpec } from './dashboard-spec';

const ROW_HEIGHT_PX = 56;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cardSection(card: CardSpec): string {
  const { row, col, sizeX, sizeY } = card.layout;
  const area = `grid-row: ${row + 1} / span ${sizeY}; grid-column: ${col + 1} / span ${sizeX};`;
  return `<section class="card" id="card-${card.id}" data-card="${card.id}" style="${area}">
  <header><h2>${escapeHtml(card.title)}</h2><p>${escapeHtml(card.description)}</p></header>
  <div class="body"><p class="status">loading…</p></div>
  <footer class="age" data-age>newest data: –</footer>
</section>`;
}

function filterControl(filter: FilterSpec): string {
  const label = `<label for="filter-${filter.id}">${escapeHtml(filter.title)}</label>`;
  if (filter.type === 'text') {
    return `${label}<select id="filter-${filter.id}" name="${filter.id}" data-filter="${filter.id}">
<option value="">All</option></select>`;
  }
  const options = filter.choices
    .map(
      (c) =>
        `<option value="${c.value}"${c.value === filter.default ? ' selected' : ''}>${escapeHtml(c.label)}</option>`,
    )
    .join('');
  return `${label}<select id="filter-${filter.id}" name="${filter.id}" data-filter="${filter.id}">${options}</select>`;
}

export function dashboardPage(spec: DashboardSpec, drilldownValue?: string): string {
  const drilldown = drilldownValue === undefined ? undefined : spec.drilldown;
  const viewCards = drilldown?.cards ?? spec.cards;
  const cards = viewCards.map(cardSection).join('\n');
  // Only the filters this view's cards use; the drill-down's own filter is fixed by the URL.
  const used = new Set(viewCards.flatMap((card) => templateTags(card.sql)));
  const filters = spec.filters
    .filter((f) => used.has(f.id) && f.id !== drilldown?.filter)
    .map((f) => `<span class="filter">${filterControl(f)}</span>`)
    .join('\n');
  const title = drilldown === undefined ? spec.name : `${drilldownValue} · ${drilldown.name}`;
  const description = drilldown?.description ?? spec.description;
  const back =
    drilldown === undefined ? '' : `<a class="back" href="/" data-back>← ${escapeHtml(spec.name)}</a>`;
  const view =
    drilldown === undefined
      ? 'data-view="dashboard"'
      : `data-view="drilldown" data-drilldown-filter="${drilldown.filter}" data-drilldown-value="${escapeHtml(drilldownValue ?? '')}"`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css">
<style>@media (min-width: 800px) { .grid { grid-auto-rows: ${ROW_HEIGHT_PX}px; } }</style>
</head>
<body ${view}>
<header class="top">${back}<h1>${escapeHtml(title)}</h1><p>${escapeHtml(description)}</p>
<form class="filters" id="filters">
${filters}
</form>
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
