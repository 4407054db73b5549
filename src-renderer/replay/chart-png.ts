// The charts as one PNG picture, for slides and bug reports: each chart's SVG drawn onto a
// canvas under its title, with its legend (recharts draws legends as HTML, so they are drawn
// here from the same names and colours).
export interface ChartPicture {
  title: string;
  svg: SVGSVGElement;
  legend: { name: string; color: string }[];
}

const SCALE = 2;
const PAD = 14;
const TITLE_H = 22;
const LEGEND_H = 20;
const BG = '#151b23';
const TEXT = '#d8dee6';
const FONT = 'system-ui, "DejaVu Sans", sans-serif';

function svgImage(svg: SVGSVGElement): Promise<{ img: HTMLImageElement; w: number; h: number }> {
  const box = svg.getBoundingClientRect();
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(box.width));
  copy.setAttribute('height', String(box.height));
  copy.setAttribute('font-family', FONT);
  const url = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(copy))}`;
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve({ img, w: box.width, h: box.height });
    img.onerror = () => reject(new Error('a chart could not be drawn'));
    img.src = url;
  });
}

/** Legend items laid out in rows that fit `width`: [x, row] for each. */
function legendLayout(g: CanvasRenderingContext2D, items: ChartPicture['legend'], width: number): { at: [number, number][]; rows: number } {
  g.font = `12px ${FONT}`;
  const at: [number, number][] = [];
  let x = PAD;
  let row = 0;
  for (const item of items) {
    const w = 16 + g.measureText(item.name).width + 14;
    if (x > PAD && x + w > width - PAD) {
      x = PAD;
      row++;
    }
    at.push([x, row]);
    x += w;
  }
  return { at, rows: row + 1 };
}

export async function chartsPng(charts: ChartPicture[]): Promise<Blob> {
  const drawn = await Promise.all(charts.map((c) => svgImage(c.svg)));
  const width = Math.max(...drawn.map((d) => d.w)) + 2 * PAD;
  const measure = document.createElement('canvas').getContext('2d');
  if (!measure) throw new Error('no canvas');
  const legends = charts.map((c) => legendLayout(measure, c.legend, width));
  const height = drawn.reduce((h, d, i) => h + TITLE_H + d.h + 4 + legends[i].rows * LEGEND_H + PAD, PAD);
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * SCALE);
  canvas.height = Math.ceil(height * SCALE);
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no canvas');
  g.scale(SCALE, SCALE);
  g.fillStyle = BG;
  g.fillRect(0, 0, width, height);
  let y = PAD;
  charts.forEach((c, i) => {
    const d = drawn[i];
    g.fillStyle = TEXT;
    g.font = `600 13px ${FONT}`;
    g.textBaseline = 'top';
    g.fillText(c.title, PAD, y);
    y += TITLE_H;
    g.drawImage(d.img, PAD, y, d.w, d.h);
    y += d.h + 4;
    g.font = `12px ${FONT}`;
    c.legend.forEach((item, k) => {
      const [x, row] = legends[i].at[k];
      g.fillStyle = item.color;
      g.fillRect(x, y + row * LEGEND_H + 5, 12, 3);
      g.fillText(item.name, x + 16, y + row * LEGEND_H);
    });
    y += legends[i].rows * LEGEND_H + PAD;
  });
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no PNG'))), 'image/png'));
}
