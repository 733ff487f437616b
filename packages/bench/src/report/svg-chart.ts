/**
 * A small line-chart writer: numeric x and y axes, several series with markers, a
 * legend, and optional dashed horizontal reference lines (targets). Plain SVG text, no
 * dependencies; enough for the two charts the suite draws.
 */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  readonly dashed?: boolean;
}

export interface ChartSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly references?: readonly { label: string; y: number }[];
  readonly logX?: boolean;
}

const WIDTH = 720;
const HEIGHT = 420;
const MARGIN = { left: 70, right: 190, top: 40, bottom: 50 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function label(value: number): string {
  return Math.abs(value) >= 1000 ? `${value / 1000}k` : String(Math.round(value * 100) / 100);
}

export function renderLineChart(spec: ChartSpec): string {
  const finite = spec.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = finite.map(([x]) => x);
  const ys = [...finite.map(([, y]) => y), ...(spec.references ?? []).map((r) => r.y)];
  const xMin = spec.logX ? Math.min(...xs) : 0;
  const xMax = spec.logX ? Math.max(...xs) : niceMax(Math.max(...xs, 1));
  const yMax = niceMax(Math.max(...ys, 1) * 1.05);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number =>
    MARGIN.left +
    (spec.logX
      ? xMax === xMin
        ? plotW / 2
        : ((Math.log(x) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin))) * plotW
      : (x / xMax) * plotW);
  const py = (y: number): number => MARGIN.top + plotH - (y / yMax) * plotH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2 - MARGIN.right / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escape(spec.title)}</text>`,
  ];
  const xTicks = spec.logX
    ? [...new Set(xs)].sort((a, b) => a - b)
    : Array.from({ length: 6 }, (_, i) => (xMax * i) / 5);
  for (const x of xTicks) {
    out.push(
      `<line x1="${px(x)}" y1="${MARGIN.top}" x2="${px(x)}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`,
    );
    out.push(
      `<text x="${px(x)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${label(x)}</text>`,
    );
  }
  for (let i = 0; i <= 5; i++) {
    const y = (yMax * i) / 5;
    out.push(
      `<line x1="${MARGIN.left}" y1="${py(y)}" x2="${MARGIN.left + plotW}" y2="${py(y)}" stroke="#eee"/>`,
    );
    out.push(`<text x="${MARGIN.left - 6}" y="${py(y) + 4}" text-anchor="end">${label(y)}</text>`);
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  );
  out.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">${escape(spec.xLabel)}</text>`,
  );
  out.push(
    `<text x="16" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${MARGIN.top + plotH / 2})">${escape(spec.yLabel)}</text>`,
  );
  let legendY = MARGIN.top + 10;
  for (const reference of spec.references ?? []) {
    out.push(
      `<line x1="${MARGIN.left}" y1="${py(reference.y)}" x2="${MARGIN.left + plotW}" y2="${py(reference.y)}" stroke="#888" stroke-dasharray="6 4"/>`,
    );
    out.push(
      `<text x="${MARGIN.left + plotW - 4}" y="${py(reference.y) - 4}" text-anchor="end" fill="#555">${escape(reference.label)}</text>`,
    );
  }
  spec.series.forEach((series, i) => {
    const colour = COLOURS[i % COLOURS.length] ?? '#000';
    const points = series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (points.length > 1) {
      out.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2"${series.dashed ? ' stroke-dasharray="5 3"' : ''} points="${points
          .map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`)
          .join(' ')}"/>`,
      );
    }
    for (const [x, y] of points)
      out.push(
        `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${colour}"/>`,
      );
    out.push(
      `<rect x="${WIDTH - MARGIN.right + 14}" y="${legendY - 9}" width="14" height="4" fill="${colour}"/>`,
    );
    out.push(
      `<text x="${WIDTH - MARGIN.right + 34}" y="${legendY - 3}">${escape(series.name)}</text>`,
    );
    legendY += 20;
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
