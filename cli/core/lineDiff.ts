/** `a` against `b`, line by line (longest common subsequence): unchanged lines with two spaces, removed with `-`, added with `+`. */
export function lineDiff(a: string, b: string): string {
  const x = a.replace(/\n$/, "").split("\n");
  const y = b.replace(/\n$/, "").split("\n");
  const common: number[][] = Array.from({ length: x.length + 1 }, () =>
    new Array<number>(y.length + 1).fill(0),
  );
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) {
      common[i][j] =
        x[i] === y[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      lines.push(`  ${x[i++]}`);
      j++;
    } else if (i < x.length && (j === y.length || common[i + 1][j] >= common[i][j + 1])) {
      lines.push(`- ${x[i++]}`);
    } else {
      lines.push(`+ ${y[j++]}`);
    }
  }
  return lines.join("\n");
}
