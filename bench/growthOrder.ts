/**
 * How a measured time grows with a size n: constant, linear, quadratic, a steeper polynomial, or
 * exponential, derived from the measurements alone.
 *
 * The method. A call's time is a fixed part (the protocol, the SDK, the policies' set-up) plus a
 * part that grows with n, so the fixed part is taken away first: it is the smallest time of the
 * series, and what is left of each time is its excess. Only the sizes where the growing part has
 * risen clear of the fixed part and of the noise tell its shape: the tail, the last sizes whose
 * times are all at least twice the smallest and 20 ms above it (on a shared two-core machine
 * the same call varies by about that much). A series with no tail is constant; a tail of one
 * size is a jump whose order one size cannot tell (undetermined), unless it is more than ten
 * times the size before it: then the two are judged as below, by their times as measured.
 *
 * A tail whose time falls as n grows (a later size under two thirds of an earlier one) is
 * irregular: the time is no function of n that an order could describe (a model that gives up
 * on a budget, for one), and the family's worst says more than its order.
 *
 * On any other tail (its last three sizes, where the largest term dominates), two models are
 * fitted by least squares to the logarithm of the excess: a power law, log t = a + k·log n,
 * whose slope k on a log-log plot is the degree (1 linear, 2 quadratic); and an exponential,
 * log t = a + n·log r, whose ratio r is the factor each further unit of n multiplies the time
 * by. A polynomial's log-log slope settles as n grows, while an exponential's keeps rising (its
 * slope between two sizes is about n·log r), so the order is exponential when that model fits
 * the tail better and the slope is past quadratic, or when the slope is past 4 (no step of an
 * analysis is meant to be a polynomial of that degree, and over a few sizes a ratio per unit
 * describes such growth as well as a degree does; two tail sizes fit both models exactly, so
 * this is all that tells them apart). Otherwise the slope names the order: below 0.35
 * constant, below 1.5 linear, below 2.5 quadratic, and steeper ones polynomial of that degree;
 * a tail that is constant so is a plateau: the time rose clear of the noise, then stopped.
 *
 * A size whose call ran past its deadline counts with the deadline as its time: a lower bound,
 * so the order found is a lower bound too. It joins the fit only when fewer than two sizes
 * below the deadline are in the tail.
 */
export type Order =
  | "constant"
  | "linear"
  | "quadratic"
  | "polynomial"
  | "exponential"
  | "plateau"
  | "irregular"
  | "undetermined";

export interface GrowthOrder {
  readonly order: Order;
  /** The power law's log-log slope on the tail (time ∝ n^slope), for an order of growth. */
  readonly slope?: number;
  /** The exponential's ratio per added unit of n (time ∝ ratio^n), for exponential only. */
  readonly perUnit?: number;
  /** For plateau: the rise before it, from the smallest time to the largest. */
  readonly rise?: { readonly from: SizedTime; readonly to: SizedTime };
  /** For irregular: where the time fell, from an earlier size to a later one. */
  readonly fall?: { readonly from: SizedTime; readonly to: SizedTime };
  /** For undetermined: the one size whose time stands above the noise. */
  readonly jump?: SizedTime;
  /** The series ended past a deadline, so the growth is at least this. */
  readonly atLeast: boolean;
}

/** One measured size: its time, or the deadline its call ran past. */
export interface SizedTime {
  readonly n: number;
  readonly milliseconds?: number;
  readonly overMilliseconds?: number;
}

interface Fit {
  readonly slope: number;
  readonly residual: number;
}

/** The least-squares line through these points, and its sum of squared residuals. */
function fitLine(points: readonly { readonly x: number; readonly y: number }[]): Fit {
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / points.length;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / points.length;
  const sxx = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  const sxy = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const residual = points.reduce((sum, p) => sum + (p.y - (meanY + slope * (p.x - meanX))) ** 2, 0);
  return { slope, residual };
}

function byDegree(slope: number): Order {
  return slope < 0.35
    ? "constant"
    : slope < 1.5
      ? "linear"
      : slope < 2.5
        ? "quadratic"
        : "polynomial";
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Times within this much of a series' smallest are noise (see the method above). */
export const noiseMilliseconds = 20;

/** The growth order of a series of sizes and times (see the method above); undefined below two sizes. */
export function growthOrder(series: readonly SizedTime[]): GrowthOrder | undefined {
  const points = series
    .map((s) => ({
      n: s.n,
      time: s.milliseconds ?? s.overMilliseconds,
      over: s.milliseconds === undefined,
    }))
    .filter((p): p is { n: number; time: number; over: boolean } => p.time !== undefined)
    .sort((a, b) => a.n - b.n);
  if (points.length < 2) {
    return undefined;
  }
  const atLeast = points.some((p) => p.over);
  const floor = Math.min(...points.map((p) => p.time));
  const clear = floor + Math.max(floor, noiseMilliseconds);
  let start = points.length;
  while (start > 0 && points[start - 1].time >= clear) {
    start -= 1;
  }
  const tail = points.slice(start);
  const sized = (p: (typeof points)[number]): SizedTime =>
    p.over ? { n: p.n, overMilliseconds: p.time } : { n: p.n, milliseconds: p.time };
  if (tail.length === 0) {
    return { order: "constant", atLeast };
  }
  if (tail.length === 1 && tail[0].time < 10 * points[start - 1].time) {
    return { order: "undetermined", jump: sized(tail[0]), atLeast };
  }
  for (const [i, earlier] of tail.entries()) {
    const later = tail.slice(i + 1).find((p) => !p.over && p.time < (earlier.time * 2) / 3);
    if (later !== undefined) {
      return { order: "irregular", fall: { from: sized(earlier), to: sized(later) }, atLeast };
    }
  }
  const measured = tail.filter((p) => !p.over);
  // A jump of one size past ten times the size before it is judged from the two, as timed.
  const used =
    tail.length === 1
      ? [points[start - 1], tail[0]].map((p) => ({ n: p.n, excess: p.time }))
      : (measured.length >= 2 ? measured : tail)
          .slice(-3)
          .map((p) => ({ n: p.n, excess: p.time - floor }));
  const power = fitLine(used.map((p) => ({ x: Math.log(p.n), y: Math.log(p.excess) })));
  const exponential = fitLine(used.map((p) => ({ x: p.n, y: Math.log(p.excess) })));
  const slope = round2(power.slope);
  const exponentialFitsBetter =
    used.length >= 3 && exponential.residual < power.residual && power.slope >= 2.5;
  if (exponentialFitsBetter || power.slope >= 4) {
    return { order: "exponential", slope, perUnit: round2(Math.exp(exponential.slope)), atLeast };
  }
  const order = byDegree(power.slope);
  if (order === "constant") {
    // Above the noise, yet no longer growing: it rose, then levelled off.
    const lowest = points.find((p) => p.time === floor)!;
    const highest = tail.reduce((a, b) => (b.time > a.time ? b : a));
    return { order: "plateau", rise: { from: sized(lowest), to: sized(highest) }, atLeast };
  }
  return { order, slope, atLeast };
}

const timeText = (t: SizedTime) =>
  t.milliseconds !== undefined
    ? `${Math.round(t.milliseconds).toLocaleString("en-US")} ms`
    : `over ${Math.round(t.overMilliseconds!).toLocaleString("en-US")} ms`;

/**
 * `exponential (×2.50 per unit)`, `quadratic (n^2.1)`, `at least linear (n^1.2)`, `constant`,
 * `irregular (falls from 287 ms at n = 11 to 82 ms at n = 23)`.
 */
export function formatGrowthOrder(growth: GrowthOrder | undefined): string {
  if (growth === undefined) {
    return "undetermined (fewer than two sizes measured)";
  }
  const lead = growth.atLeast ? "at least " : "";
  switch (growth.order) {
    case "constant":
      return `${lead}constant`;
    case "exponential":
      return `${lead}exponential (×${growth.perUnit!.toFixed(2)} per unit)`;
    case "plateau": {
      const { from, to } = growth.rise!;
      return `plateau (after rising from ${timeText(from)} at n = ${from.n} to ${timeText(to)} at n = ${to.n})`;
    }
    case "irregular": {
      const { from, to } = growth.fall!;
      return `irregular (falls from ${timeText(from)} at n = ${from.n} to ${timeText(to)} at n = ${to.n})`;
    }
    case "undetermined":
      return `undetermined (a jump: only n = ${growth.jump!.n} stands above the noise, at ${timeText(growth.jump!)})`;
    default:
      return `${lead}${growth.order} (n^${growth.slope!.toFixed(1)})`;
  }
}
