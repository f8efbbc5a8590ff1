/** @fmnist/viz: Figures (SVG/PNG/Vega-Lite) and an HTML/Markdown report for FashionMNIST model studies. */
export const PACKAGE_NAME = '@fmnist/viz';
