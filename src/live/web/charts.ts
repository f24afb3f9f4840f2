/** The page's live charts (chart.js, bundled): one point per stats event, the last 60 kept. */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartDataset } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const KEEP = 60;

export class LiveChart {
  private readonly chart: Chart;

  constructor(canvas: HTMLCanvasElement, title: string, series: Array<{ label: string; color: string; kind?: 'line' | 'bar' }>, y: { min?: number; max?: number; title: string }) {
    const datasets = series.map(
      (s) =>
        ({
          type: s.kind ?? 'line',
          label: s.label,
          data: [] as Array<number | null>,
          borderColor: s.color,
          backgroundColor: s.color,
          pointRadius: 0,
          borderWidth: 2,
          spanGaps: true,
        }) as ChartDataset<'line' | 'bar', Array<number | null>>,
    );
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { labels: [] as string[], datasets: datasets as never },
      options: {
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        plugins: { title: { display: true, text: title }, legend: { position: 'bottom' } },
        scales: { y: { min: y.min, max: y.max, title: { display: true, text: y.title } }, x: { ticks: { maxTicksLimit: 8 } } },
      },
    });
  }

  push(label: string, values: Array<number | null>): void {
    const d = this.chart.data;
    (d.labels as string[]).push(label);
    values.forEach((v, i) => (d.datasets[i].data as Array<number | null>).push(v));
    if ((d.labels as string[]).length > KEEP) {
      (d.labels as string[]).shift();
      for (const ds of d.datasets) (ds.data as Array<number | null>).shift();
    }
    this.chart.update('none');
  }

  clear(): void {
    this.chart.data.labels = [];
    for (const ds of this.chart.data.datasets) ds.data = [];
    this.chart.update('none');
  }
}
