// Types for the part of asciichart (no bundled types) that the CLI uses.
declare module 'asciichart' {
  /** Plot settings: rows of the chart, label format, and one ANSI color per series. */
  export interface PlotConfig {
    height?: number;
    offset?: number;
    padding?: string;
    format?: (value: number, index: number) => string;
    colors?: string[];
    min?: number;
    max?: number;
  }
  /** Draws one series, or several on the same axes, as lines of text. */
  export function plot(series: number[] | number[][], config?: PlotConfig): string;
  export const blue: string;
  export const green: string;
  export const yellow: string;
  export const reset: string;
}
