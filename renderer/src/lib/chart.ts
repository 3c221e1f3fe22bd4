// Chart.js, registered once with only the parts the line charts use (keeps the bundle small).
import { Chart, LineController, ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip, Filler } from 'chart.js';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip, Filler);

export { Chart };
export interface Series {
  label: string;
  color: string;
  values: (number | null)[];
  dashed?: boolean;
}
