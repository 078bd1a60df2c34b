/**
 * Time stamps in drachtio frames: `HH:MM:SS.micro` in the server's local time
 * (PROTOCOL-NOTES §3.1 notes; e.g. `11:18:17.301831`).
 */
export function formatDrachtioTime(epochMicros: number): string {
  const d = new Date(Math.floor(epochMicros / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  const micro = String(Math.floor(epochMicros % 1_000_000)).padStart(6, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${micro}`;
}

/** Wall-clock time with microsecond resolution (performance.timeOrigin + now()). */
export function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

export function drachtioTimeNow(): string {
  return formatDrachtioTime(nowMicros());
}
